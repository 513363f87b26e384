# Sourced by the bench scripts: launcher_java DIR prints the java executable that DIR/vmalock runs (VMALOCK_JAVA if set,
# else the choice its build made, DIR/cli/target/vmalock.java, else `java` on the PATH: a checkout older than that
# choice); launcher_jdk DIR prints it with its version line. Run DIR/vmalock once first: its build writes the choice.
launcher_java() {
  local j=${VMALOCK_JAVA:-} _m
  [ -n "$j" ] || { [ -f "$1/cli/target/vmalock.java" ] && read -r _m j < "$1/cli/target/vmalock.java"; }
  [ -n "$j" ] || j=java
  [ -d "$j" ] && j=$j/bin/java
  echo "$j"
}
launcher_jdk() {
  local j
  j=$(launcher_java "$1")
  echo "$j ($("$j" -version 2>&1 | head -1))"
}
