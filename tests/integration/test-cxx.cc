// SPDX-License-Identifier: MIT
/*
 * test-cxx emitter: a C++11 translation unit (built with -std=c++11 -Wall
 * -Wextra -Werror) including <sonde/tracepoint.h> and a provider header,
 * emitting from a member function, a template, a lambda and a std::vector.
 * Run under `sonde record` by test-cxx.sh.
 */
#include <sonde/tracepoint.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cxx_tp.h"

namespace {

class Server {
public:
	explicit Server(std::string name) : name_(name) {}
	void handle(int64_t v) const
	{
		sonde_tracepoint(cxx, call, name_.c_str(), v, v / 4.0);
	}

private:
	std::string name_;
};

template <typename T> void emit_template(T v)
{
	sonde_tracepoint(cxx, call, "template", static_cast<int64_t>(v), 0.5);
}

} // namespace

int main()
{
	int failures = 0;
	Server s("server");
	std::vector<int32_t> v = { 7, -8, 9 };
	auto lambda = [&](int64_t x) {
		sonde_tracepoint(cxx, call, "lambda", x, -1.25);
	};

	if (!sonde_tracepoint_enabled(cxx, call)) {
		std::printf("not ok 1 - cxx:call enabled\n");
		failures++;
	} else {
		std::printf("ok 1 - cxx:call enabled\n");
	}
	s.handle(10);
	s.handle(-65536 - 1);
	emit_template<short>(-3);
	emit_template<unsigned long long>(123456789012ULL);
	lambda(0x12345);
	sonde_tracepoint(cxx, vec, v.data(), static_cast<uint32_t>(v.size()));
	sonde_tracepoint(cxx, noargs);
	std::printf("1..1\n");
	return failures ? 1 : 0;
}
