#!/usr/bin/env bash
# harbor-ha lab: the entry point the README, the tests and `harbor-ha lab` use; the lab's code
# is in lab/ (lab/lab.sh: usage and what it does).
exec "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh" "$@"
