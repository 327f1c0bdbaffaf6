"""Where CPython 3.13 is, for the tests that hold dictlog's bytes against it."""
import os
import shutil
import subprocess


def find_cpython():
    """The command that runs CPython 3.13.0 (as a list), or None."""
    env = dict(os.environ, PYENV_VERSION="3.13.0")
    home = os.path.expanduser("~")
    for cmd in (["python3"], [os.path.join(home, ".pyenv", "versions", "3.13.0", "bin", "python3")]):
        if not shutil.which(cmd[0]) and not os.path.exists(cmd[0]):
            continue
        try:
            out = subprocess.run(cmd + ["-c", "import sys; print(sys.version.split()[0])"],
                                 env=env, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == "3.13.0":
            return cmd
    return None


def cpython_env():
    return dict(os.environ, PYENV_VERSION="3.13.0")
