# .deb packages, one per executable (cpack -G DEB). Depends: is computed by dpkg-shlibdeps
# from the binaries' real library needs, never written by hand.
include(GNUInstallDirs)

# Debian policy files every package carries: copyright, and the changelog compressed with
# gzip -9n (reproducible: no name or timestamp in the header).
find_program(GZIP_PROGRAM gzip REQUIRED)
set(_changelog_gz ${CMAKE_BINARY_DIR}/deb/changelog.gz)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/deb)
execute_process(COMMAND ${GZIP_PROGRAM} -9nc ${CMAKE_SOURCE_DIR}/deploy/debian/changelog
                OUTPUT_FILE ${_changelog_gz} COMMAND_ERROR_IS_FATAL ANY)

set(_printmon_components "")
foreach(_exe scanner uploader cloud-api)
  if(TARGET printmon-${_exe})
    install(TARGETS printmon-${_exe} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${_exe})
    install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/printmon-${_exe}.service
            DESTINATION lib/systemd/system COMPONENT ${_exe})
    if(EXISTS ${CMAKE_SOURCE_DIR}/${_exe}/${_exe}.example.toml)
      # Installed as the live config: every default visible, secrets from the environment.
      install(FILES ${CMAKE_SOURCE_DIR}/${_exe}/${_exe}.example.toml
              DESTINATION /etc/printmon RENAME ${_exe}.toml COMPONENT ${_exe})
      install(FILES ${CMAKE_SOURCE_DIR}/${_exe}/${_exe}.example.toml
              DESTINATION share/doc/printmon-${_exe}/examples COMPONENT ${_exe})
    endif()
    install(FILES ${CMAKE_SOURCE_DIR}/deploy/debian/copyright ${_changelog_gz}
            DESTINATION share/doc/printmon-${_exe} COMPONENT ${_exe})
    list(APPEND _printmon_components ${_exe})
  endif()
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME printmon)
set(CPACK_PACKAGE_VENDOR "printmon")
set(CPACK_PACKAGE_CONTACT "printmon maintainers <maintainers@printmon.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Printer and MFP fleet monitoring")
set(CPACK_COMPONENTS_ALL ${_printmon_components})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_SET_DESTDIR OFF)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://printmon.invalid/")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
foreach(_exe ${_printmon_components})
  string(TOUPPER ${_exe} _up)
  # Files under /etc/printmon are conffiles: upgrades keep the admin's edits.
  set(_cf ${CMAKE_BINARY_DIR}/deb/${_exe}/conffiles)
  file(WRITE ${_cf} "/etc/printmon/${_exe}.toml\n")
  set(CPACK_DEBIAN_${_up}_PACKAGE_NAME printmon-${_exe})
  set(CPACK_DEBIAN_${_up}_PACKAGE_DEPENDS "adduser")
  set(CPACK_DEBIAN_${_up}_PACKAGE_CONTROL_EXTRA
      "${CMAKE_SOURCE_DIR}/deploy/debian/postinst;${CMAKE_SOURCE_DIR}/deploy/debian/postrm;${_cf}")
endforeach()
set(CPACK_COMPONENT_SCANNER_DESCRIPTION
    "printmon branch scanner\n Discovers network printers over SNMP v1/v2c/v3 and polls their identity, page\n counters, supplies and status into PostgreSQL; small web UI for its settings.")
set(CPACK_COMPONENT_UPLOADER_DESCRIPTION
    "printmon branch uploader\n Delivers the branch's readings to the printmon cloud over HTTPS, exactly once,\n or into offline export files.")
set(CPACK_COMPONENT_CLOUD-API_DESCRIPTION
    "printmon cloud API\n Multi-tenant ingestion of branch batches and the analytics REST API.")
include(CPack)
