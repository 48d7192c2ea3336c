# Sourced by every benchmark script: says which machine a run was taken on and how loaded it
# was, and refuses to start on a busy machine. Figures taken at load 4-11 once overstated our
# lead over CPython and h5py by 2-2.5x (peers suffer more from a busy machine than we do), so
# a run is only comparable with the load it was taken at.
#
#   bench_machine_begin   waits (up to FF_BENCH_WAIT_S=300 s) for the 1-minute load average to
#                         fall to FF_BENCH_MAX_LOAD (default 1.5, for two cores); refuses to run
#                         above it unless FF_BENCH_ANY_LOAD=1, which marks the run instead.
#   bench_machine_end     prints the machine, the load before and after, and the mark.
# Both print Markdown lines on stdout, next to the table the script prints.

bench_load1() { cut -d' ' -f1 /proc/loadavg; }
bench_above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

bench_machine_begin() {
  local max=${FF_BENCH_MAX_LOAD:-1.5} waited=0 wait_s=${FF_BENCH_WAIT_S:-300}
  while bench_above "$(bench_load1)" "$max" && ((waited < wait_s)); do
    echo "load average $(bench_load1) > $max: waiting for a quiet machine ($waited s)" >&2
    sleep 10
    waited=$((waited + 10))
  done
  BENCH_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  BENCH_BUSY=""
  if bench_above "$(bench_load1)" "$max"; then
    if [[ ${FF_BENCH_ANY_LOAD:-0} != 1 ]]; then
      echo "refusing to benchmark at load average $(bench_load1) (> $max on $(nproc) cores):" \
        "the figures would not be comparable. Stop what runs beside it, or set" \
        "FF_BENCH_ANY_LOAD=1 to take a marked run anyway." >&2
      exit 3
    fi
    BENCH_BUSY=1
  fi
  BENCH_STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
}

bench_machine_end() {
  local cpu
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  echo
  echo "Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(uname -r); started $BENCH_STARTED. Load average (1, 5, 15 min) before: $BENCH_LOAD_BEFORE;" \
    "after: $(cut -d' ' -f1-3 /proc/loadavg) (the benchmark's own work raises it)."
  if [[ -n $BENCH_BUSY ]]; then
    echo
    echo "**Taken on a busy machine (load above ${FF_BENCH_MAX_LOAD:-1.5} at the start): not comparable with quiet-machine figures.**"
  fi
}
