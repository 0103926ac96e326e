# From DediGadot/PatchBatch @ 0162117a826c24ad5c3839b28c34c8ffa34d2f4c, benchmark_kitti.py (excerpt).
import argparse

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("images_path")
    parser.add_argument("gt_path")
    parser.add_argument("model_name")
    args = parser.parse_args()
    print("--- Aggregated: avg_err %.2f perc_above_tau %.2f" % (0.0, 0.0))  # noqa: UP031
