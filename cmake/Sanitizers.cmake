if(PRINTMON_SANITIZE)
  # Rationale: -Wno-mismatched-new-delete because g++ 12 flags coroutine frame deallocation.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined -Wno-mismatched-new-delete)
  add_link_options(-fsanitize=address,undefined)
endif()
