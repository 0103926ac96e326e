# From joshiatul/game_playing @ 59f48b8fe0f32ce1753bd4a257ad5e21d0f90624, simulate_environment.py (excerpt).
import argparse

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--train", action="store_true", help="indicate whether to train and test the environment")
    parser.add_argument("--test", action="store_true", help="simply test the environment with existing trained model")
    args = parser.parse_args()
