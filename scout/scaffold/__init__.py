"""The last stage: scaffold the next experiment from the winning baseline or a template.
Entry point: `project.create_experiment`."""
