"""From a plan to a finished process: the pinned checkout, its environment, the sandbox, the
processes and devices it runs on, locally or as SLURM jobs."""
