// The one TU that compiles Asio, Asio SSL and Beast (separate compilation, STYLE.md §9): every
// other TU includes their headers with BOOST_*_SEPARATE_COMPILATION and links this.
#include <utility>

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
