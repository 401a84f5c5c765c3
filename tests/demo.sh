#!/bin/sh
# demo.sh BUILD - the README's demo: the CNN demo model runs on the emulated
# device under its own subscription, and every operator record it produces
# is printed as it arrives through the pipe.
set -eu
B=$1
echo "aclsub demo: models/cnn.txt compiled to $B/models/cnn.om, executed once under subscription"
"$B/examples/subscribe" "$B/models/cnn.om" 1
