"""Small repos made from the shapes of real corpus repos, shared by the tests that rank them."""

from __future__ import annotations

from pathlib import Path


def rl_zoo(root: Path) -> Path:
    """InSpaceAI/RL-Zoo@master: a README with no command ("Implementations of RL algorithms with
    tensorflow ... Run in CartPole-v1") and five entry points that each train an agent and print its
    score, any of which the label takes; ranked alike, none of them is a rival of another."""
    (root / "README.md").write_text("# RL-Zoo\nImplementations of RL algorithms with tensorflow.\n")
    for name in ("DQN", "REINFORCE", "A2C", "DDPG", "PPO"):
        (root / f"{name}.py").write_text(
            "import gym\n\nif __name__ == '__main__':\n    env = gym.make('CartPole-v1')\n"
            "    print('{} Episode / Score:{}'.format(1, 2))\n"
        )
    return root
