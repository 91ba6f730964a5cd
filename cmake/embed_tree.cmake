# Writes a C++ source holding every file under DIR (sorted by relative path) as
# kemu::embedded::NAME, an array of kemu::embedded::File {path, data, size}, and NAME_count.
# Run as: cmake -DDIR=folder -DOUT=file.cc -DNAME=symbol -P embed_tree.cmake
file(GLOB_RECURSE files RELATIVE "${DIR}" "${DIR}/*")
list(SORT files)
set(body "")
set(table "")
set(i 0)
foreach(rel IN LISTS files)
  file(READ "${DIR}/${rel}" content HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
  string(APPEND body "const unsigned char f${i}[] = {${bytes} 0};\n")
  string(APPEND table "    {\"${rel}\", f${i}, sizeof(f${i}) - 1},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUT}.tmp"
  "// Generated from ${DIR} by cmake/embed_tree.cmake. Do not edit.\n"
  "#include <cstddef>\n"
  "namespace kemu::embedded {\n"
  "struct File { const char* path; const unsigned char* data; std::size_t size; };\n"
  "namespace {\n${body}}  // namespace\n"
  "extern const File ${NAME}[];\n"
  "extern const std::size_t ${NAME}_count;\n"
  "const File ${NAME}[] = {\n${table}};\n"
  "const std::size_t ${NAME}_count = ${i};\n"
  "}  // namespace kemu::embedded\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
