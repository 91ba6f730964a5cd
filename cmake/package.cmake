# Installing kemu: `cmake --install build/release --prefix ~/.local` puts `bin/kemu` on a prefix,
# and `cpack -G DEB` (run in a build directory) makes `kemu_<version>_<arch>.deb` for
# `apt install ./kemu_*.deb`. The binary is all there is: the runtime bootstraps are compiled in.
include(GNUInstallDirs)
install(TARGETS kemu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/architecture.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME kemu)
set(CPACK_PACKAGE_VENDOR "kemu")
set(CPACK_PACKAGE_CONTACT "kemu developers <kemu@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Local emulator and test harness for AWS event-ingestion pipelines (API Gateway, Kinesis, Lambda, SQS)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # kemu_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The packages of the shared libraries it links (libyaml-cpp, libboost-json, libssl, libnghttp2;
# Debian's RocksDB links statically) are found by dpkg-shlibdeps from the binary itself, so
# Depends cannot drift from the build.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)  # debug info stays in the build tree
# Python and Node handlers need an interpreter; kemu runs without one for `provided` runtimes.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3, nodejs")
include(CPack)
