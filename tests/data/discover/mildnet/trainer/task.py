# From gofynd/mildnet @ aa4de3d4ee0044fa0eaf1a22cd6bd2dadcc4ee66, trainer/task.py (excerpt): required arguments.
import argparse

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job-dir", help="GCS location to write checkpoints and export models", required=True)
    parser.add_argument("--data-path", help="GCS location pointing to training data", required=True)
    parser.add_argument("--batch-size", help="Batch size", default=16)
    args = parser.parse_args()
