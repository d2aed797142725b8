# shellcheck shell=bash
# Sourced by the runme.sh targets (with needs/target/setup_emulator in their aliases), from their own directory:
# emulator_request for the steps' requests to the emulator's control API, answered in Ansible's worker, and
# CONFIG, the emulators' connection details that noxfile.py writes for ansible-test.
ANSIBLE_ACTION_PLUGINS="$(cd ../setup_emulator/action_plugins && pwd)"
export ANSIBLE_ACTION_PLUGINS
# shellcheck disable=SC2034  # read by the script that sources this file
CONFIG="$(cd ../.. && pwd)/integration_config.yml"
