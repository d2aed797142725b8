#!/usr/bin/env bash
# Role test for onlyoffice.docspace.smtp with real ansible-playbook runs against emulated portal 4:
# bad input fails before any request, check mode writes nothing, the first run configures and sends a
# test mail, the second changes nothing and sends nothing, `docspace_smtp_test: always` sends one, a
# broken relay password fails the play with the test's message, and `state: absent` resets.
# Each step is checked on the emulator's request log and mailbox (verify.yml).
set -eu -o pipefail
# shellcheck source=../setup_emulator/runme_env.sh
source ../setup_emulator/runme_env.sh  # ANSIBLE_ACTION_PLUGINS, CONFIG

LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT

fail() { echo "FAILED: $*" >&2; exit 1; }

# playbook STEP WANT(ok|fail) PLAYBOOK [ansible-playbook args...]: run it, keep its output in $LOGS/STEP.log.
playbook() {
    local step="$1" want="$2" rc=0
    shift 2
    printf '\n##### %s\n' "$step"
    ansible-playbook -i portal4, -e "@$CONFIG" "$@" > "$LOGS/$step.log" 2>&1 || rc=$?
    cat "$LOGS/$step.log"
    if [ "$want" = ok ] && [ "$rc" != 0 ]; then fail "$step: ansible-playbook exited with $rc"; fi
    if [ "$want" = fail ] && [ "$rc" = 0 ]; then fail "$step: ansible-playbook should have failed"; fi
    return 0
}

# expect STEP REGEX [WHY]: the step's output matches the extended regular expression.
expect() {
    grep -Eq -- "$2" "$LOGS/$1.log" || fail "$1: output does not match /$2/ ${3:-}"
}

# recap STEP CHANGED FAILED: the play recap line of portal4; a failure is never rescued (shown once).
recap() {
    expect "$1" "^portal4 +: ok=[0-9]+ +changed=$2 +unreachable=0 +failed=$3 +skipped=[0-9]+ +rescued=0 " "(play recap)"
}

# once STEP: the step failed exactly one task (one fatal line), the failure is not repeated by another task.
once() {
    [ "$(grep -c '^fatal: ' "$LOGS/$1.log")" = 1 ] || fail "$1: the failure is not shown exactly once"
}

# verify WRITES TESTS MAILS [extra -e args...]: what the portal received and sent since the last verify.
verify() {
    ansible-playbook -e "@$CONFIG" -e "expect_writes=$1 expect_tests=$2 expect_mails=$3" "${@:4}" verify.yml \
        > "$LOGS/verify.log" 2>&1 || { cat "$LOGS/verify.log"; fail "verify after the step above"; }
}

ansible-playbook -e "@$CONFIG" reset.yml > "$LOGS/reset.log" 2>&1 || { cat "$LOGS/reset.log"; fail "reset"; }

# --- Bad input: Ansible's argument-spec validation or the modules' own checks stop it, in the role's variables,
# before anything is sent.
playbook wrong_type fail run_role.yml -e '{"docspace_smtp_port": "twenty-five"}'
expect wrong_type "Validating arguments against arg spec"
expect wrong_type "docspace_smtp_port"

playbook wrong_choice fail run_role.yml -e docspace_smtp_test=sometimes
expect wrong_choice "docspace_smtp_test"
expect wrong_choice "changed, always, never"

playbook missing_base_url fail run_role_bare.yml -e docspace_smtp_host=mail.example.com \
    -e docspace_smtp_sender_address=noreply@example.com
recap missing_base_url 0 1
once missing_base_url
expect missing_base_url "docspace_base_url is not set: set it to the portal's address, such as https://docspace.example.com, or set DOCSPACE_BASE_URL in the environment"

playbook missing_host fail run_role_bare.yml -e '{"docspace_base_url": "{{ docspace_emulator.portals[4].base_url }}"}'
expect missing_host "docspace_smtp_host is required when docspace_smtp_state is present; docspace_smtp_sender_address is required"

playbook key_and_login fail run_role.yml -e docspace_auth_username=admin@example.com -e docspace_auth_password=x
recap key_and_login 0 1
once key_and_login
expect key_and_login "both an API key and a login are set: docspace_api_key, and docspace_auth_username with docspace_auth_password. Keep one of them"

playbook auth_without_user fail run_role.yml -e docspace_smtp_enable_auth=true -e '{"docspace_smtp_username": ""}'
expect auth_without_user "docspace_smtp_enable_auth is true, so docspace_smtp_username \\(the SMTP login\\) is required"

verify 0 0 0 -e expect_requests=0 -e '{"expect_settings": {"isDefaultSettings": true}}'

# --- Check mode on a fresh portal: the drift is reported, nothing is written and no mail is sent.
playbook check_first ok run_role.yml --check --diff
recap check_first 1 0
expect check_first "^\+.*noreply@portal4\.docspace\.test" "(the diff shows the new sender)"
verify 0 0 0 -e '{"expect_settings": {"isDefaultSettings": true}}'

# --- First run: configured, tested, one mail received.
playbook first ok run_role.yml
recap first 1 0
verify 1 1 1 -e '{"expect_settings": {"isDefaultSettings": false, "senderAddress": "noreply@portal4.docspace.test",
    "senderDisplayName": "Role test", "enableAuth": true}}'

# --- Second run: nothing changes, one read, no mail.
playbook second ok run_role.yml
recap second 0 0
verify 0 0 0 -e expect_requests=1

# --- docspace_smtp_test: always: a test mail on an unchanged portal, and still nothing changed.
playbook test_always ok run_role.yml -e docspace_smtp_test=always
recap test_always 0 0
verify 0 1 1

# --- docspace_smtp_test: always in check mode: still nothing sent.
playbook test_always_check ok run_role.yml -e docspace_smtp_test=always --check
recap test_always_check 0 0
verify 0 0 0

# --- A broken relay password: the save goes through (DocSpace cannot check it), the test fails the play
# with the module's message naming the failed step.
playbook broken_password fail run_role.yml -e docspace_smtp_password=not-the-password \
    -e docspace_smtp_update_password=always
recap broken_password 1 1
expect broken_password "Authenticate"
# The test's own message, in the role's variable names, with the relay DocSpace used and what the next run does.
once broken_password
expect broken_password "DocSpace used the relay [^ ]+:[0-9]+ \(no TLS, login "
expect broken_password "the next run cannot know that this test failed"
expect broken_password "save them once with docspace_smtp_update_password: always"
verify 1 1 0

# --- A save is needed but no password is set: the role fails before any write, naming its own variable.
playbook no_password fail run_role.yml -e docspace_smtp_sender_display_name=Renamed -e docspace_smtp_password=""
expect no_password "Set docspace_smtp_password to the SMTP password"
verify 0 0 0 -e expect_requests=1

# --- state: absent resets to the installation default, without a test mail; again changes nothing.
playbook absent ok run_role.yml -e docspace_smtp_state=absent -e docspace_smtp_test=always
recap absent 1 0
verify 1 0 0 -e '{"expect_settings": {"isDefaultSettings": true}}'

playbook absent_again ok run_role.yml -e docspace_smtp_state=absent
recap absent_again 0 0
verify 0 0 0 -e expect_requests=1

# --- No secret ever reached the output.
mapfile -t secrets < <(python -c 'import json, sys
config = json.load(open(sys.argv[1]))
print(config["docspace_emulator"]["portals"][4]["admin"]["api_key"])
print(config["docspace_emulator"]["smtp"]["accounts"][0]["password"])' "$CONFIG")
for secret in "${secrets[@]}" not-the-password; do
    if grep -rlF -- "$secret" "$LOGS"; then fail "a secret appears in the output above"; fi
done

printf '\nrole_smtp: all steps passed\n'
