import sys
from pathlib import Path

# Cross-service tests use the project's tools (stack launcher, demo story) as a package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
