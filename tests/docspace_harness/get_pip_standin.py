# Stand-in for ansible-test's downloaded get-pip script (why: docspace_harness/collection.py, pip_bootstrap_standin).
# ansible-test runs it as `python get_pip_X.py <pip install options and packages>`.
"""Bootstrap pip from ensurepip, then install the packages ansible-test asked for."""

import subprocess
import sys

# get-pip.py understands these; pip itself does not.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + [a for a in sys.argv[1:] if a not in GET_PIP_ONLY])
