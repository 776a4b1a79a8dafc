#!/bin/bash
# Submits the shard array, then the merge job to run once every array task has
# succeeded (afterok). Extra arguments go to the array's sbatch (e.g. --array=0-15).
# Prints the two job ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable "$@" "$here/flipcert-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" "$here/flipcert-merge.sbatch")
echo "$array ${merge%%;*}"
