# Writes a C++ source holding the bytes of IN as kemu::embedded::NAME (NUL-terminated) and
# NAME_size. Run as: cmake -DIN=file -DOUT=file.cc -DNAME=symbol -P embed.cmake
file(READ "${IN}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by cmake/embed.cmake. Do not edit.\n"
  "#include <cstddef>\n"
  "namespace kemu::embedded {\n"
  "extern const unsigned char ${NAME}[];\n"
  "extern const std::size_t ${NAME}_size;\n"
  "const unsigned char ${NAME}[] = {${bytes} 0};\n"
  "const std::size_t ${NAME}_size = sizeof(${NAME}) - 1;\n"
  "}  // namespace kemu::embedded\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
