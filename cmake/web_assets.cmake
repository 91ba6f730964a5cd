# Browser-side assets (web/: package.json and its lockfile pin them; scripts/setup.sh runs
# `npm ci` there), embedded into the binary at build time so that what kemu writes or serves
# (`kemu load --report`'s report.html, the console at /_kemu/console) needs no network and no files
# beside the binary.
#
#   kemu_embed_web_asset(<out-var> <symbol> <path under web/node_modules>)
#
# appends to <out-var> a generated .cc defining kemu::embedded::<symbol> (NUL-terminated bytes)
# and <symbol>_size (cmake/embed.cmake writes it); add it to the sources of the target using it.
# kemu_embed_file does the same for a file of kemu's own tree (a page's script or style).
set(KEMU_WEB_DIR ${PROJECT_SOURCE_DIR}/web)

# The installed packages must be those of the lockfile: a missing or stale web/node_modules
# stops the configure with the one command that fixes it.
function(kemu_check_web_package name)
  set(lock ${KEMU_WEB_DIR}/package-lock.json)
  set(installed ${KEMU_WEB_DIR}/node_modules/${name}/package.json)
  if(NOT EXISTS ${installed})
    message(FATAL_ERROR "web/node_modules/${name} is missing: run scripts/setup.sh "
                        "(it runs `npm ci` in web/ to install the browser-side packages that "
                        "the build embeds)")
  endif()
  file(READ ${lock} lock_json)
  string(JSON want GET "${lock_json}" packages "node_modules/${name}" version)
  file(READ ${installed} pkg_json)
  string(JSON have GET "${pkg_json}" version)
  if(NOT have STREQUAL want)
    message(FATAL_ERROR "web/node_modules/${name} is ${have}, web/package-lock.json pins ${want}: "
                        "run scripts/setup.sh")
  endif()
endfunction()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KEMU_WEB_DIR}/package-lock.json)

# Appends to <out-var> a generated .cc holding <file> (any path) as kemu::embedded::<symbol>.
function(kemu_embed_file out_var symbol in)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc)
  file(RELATIVE_PATH shown ${PROJECT_SOURCE_DIR} ${in})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${in} -DOUT=${out} -DNAME=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${in} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding ${shown}")
  set(${out_var} ${${out_var}} ${out} PARENT_SCOPE)
endfunction()

function(kemu_embed_web_asset out_var symbol rel)
  string(REGEX MATCH "^[^/]+" package ${rel})
  if(package MATCHES "^@")  # a scoped package: @scope/name
    string(REGEX MATCH "^[^/]+/[^/]+" package ${rel})
  endif()
  kemu_check_web_package(${package})
  set(in ${KEMU_WEB_DIR}/node_modules/${rel})
  if(NOT EXISTS ${in})
    message(FATAL_ERROR "web/node_modules/${rel} is missing: run scripts/setup.sh")
  endif()
  kemu_embed_file(files ${symbol} ${in})
  set(${out_var} ${${out_var}} ${files} PARENT_SCOPE)
endfunction()
