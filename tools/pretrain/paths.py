"""Default locations. Large artefacts live outside the git tree so they survive between sessions."""
import os

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK_ROOT = os.environ.get("ATTUNE_PRETRAIN_DIR", "/work/attune-pretrain")
DATA_DIR = os.path.join(WORK_ROOT, "data")
CHECKPOINT_DIR = os.path.join(WORK_ROOT, "ckpt")
MODEL_DIR = os.path.join(REPO_ROOT, "public", "model")
HELDOUT_DIR = os.path.join(REPO_ROOT, "tools", "pretrain", "heldout")
