import sys
from pathlib import Path

# The probe service lives beside these tests and is imported as a package.
sys.path.insert(0, str(Path(__file__).parent))
