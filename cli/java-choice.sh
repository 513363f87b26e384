# Which JDK the launcher (../vmalock) runs vmalock on (issue 13, start-up; docs/ingest-speed.md "Start-up").
# Sourced by the launcher once per build (its choice is kept in cli/target/vmalock.java) and by
# JavaChoiceTest. Defines functions only; starts no process (not even `java -version`): a JDK's version
# is read from its `release` file.
#
# vmalock_pick_java [DIR…]   prints "MAJOR PATH-OF-java":
#   1. $JAVA_HOME, if its release file says Java 24 or later;
#   2. else the newest JDK of at least 24 among DIR… (default /usr/lib/jvm/*), by JAVA_VERSION
#      (a directory counts when it has bin/java and a release file);
#   3. else `java` on the PATH, as MAJOR 0 ("unknown": the launcher runs it as it always has, with the
#      JDK 17 class archive).
# Java 24+ has the AOT cache (JEP 483, one step in 25: JEP 514), which the launcher builds instead of the
# AppCDS archive.

# vmalock_java_version DIR: sets JV to the JAVA_VERSION of DIR/release as three numbers (MAJOR MINOR PATCH; 1.8.0_x is
# 8 0 0), or to nothing when DIR has no readable release file with a JAVA_VERSION line. No subshell.
vmalock_java_version() {
  local line v
  JV=()
  [ -f "$1/release" ] && [ -r "$1/release" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      JAVA_VERSION=*)
        v=${line#JAVA_VERSION=}; v=${v//\"/}; v=${v%%[-+_ ]*}
        IFS=. read -r -a JV <<< "$v"
        [ "${JV[0]:-}" = 1 ] && JV=("${JV[1]:-}")   # 1.8.0
        [[ ${JV[0]:-} =~ ^[0-9]+$ ]] || { JV=(); return 0; }
        [[ ${JV[1]:-} =~ ^[0-9]+$ ]] || JV[1]=0
        [[ ${JV[2]:-} =~ ^[0-9]+$ ]] || JV[2]=0
        JV=("${JV[@]:0:3}")
        return 0 ;;
    esac
  done < "$1/release"
}

vmalock_pick_java() {
  local dirs=("$@") d best="" b=(0 0 0)
  [ ${#dirs[@]} = 0 ] && dirs=(/usr/lib/jvm/*)
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    vmalock_java_version "$JAVA_HOME"
    [ ${#JV[@]} = 3 ] && [ "${JV[0]}" -ge 24 ] && { echo "${JV[0]} $JAVA_HOME/bin/java"; return 0; }
  fi
  for d in "${dirs[@]}"; do
    [ -d "$d" ] && [ -x "$d/bin/java" ] || continue
    vmalock_java_version "$d"
    [ ${#JV[@]} = 3 ] && [ "${JV[0]}" -ge 24 ] || continue
    if [ -z "$best" ] || [ "${JV[0]}" -gt "${b[0]}" ] \
        || { [ "${JV[0]}" = "${b[0]}" ] && { [ "${JV[1]}" -gt "${b[1]}" ] \
             || { [ "${JV[1]}" = "${b[1]}" ] && [ "${JV[2]}" -gt "${b[2]}" ]; }; }; }; then
      best=$d b=("${JV[@]}")
    fi
  done
  if [ -n "$best" ]; then echo "${b[0]} $best/bin/java"; else echo "0 java"; fi
}
