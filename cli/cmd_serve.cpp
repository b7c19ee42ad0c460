// oligoscreen serve: the CDS Hooks service over HTTP (docs/cds-hooks.md).
//
// HTTP is cpp-httplib (Debian's libcpp-httplib-dev 0.11); everything CDS Hooks is in
// engine/src/cds (CdsService), which this file only routes to. Binds to loopback unless told
// otherwise; SIGTERM or SIGINT stops accepting, lets the requests in flight finish, and exits 0.
// Logs go to stderr through spdlog and never carry patient data above debug.
#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cxxopts.hpp>
#include <memory>
#include <string>
#include <thread>

#include "cds/cds_service.hpp"
#include "cli_common.hpp"
#include "fhir/mapping.hpp"
#include "tools.hpp"

namespace oligoscreen::cli {

namespace {

constexpr size_t kWorkers = 8;

void reply(httplib::Response& res, const detail::HttpReply& r) {
  res.status = r.status;
  res.set_content(r.body, "application/json");
}

std::shared_ptr<spdlog::logger> logger() {
  auto l = spdlog::get("oligoscreen");
  return l ? l : spdlog::default_logger();
}

}  // namespace

int tool_serve(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen serve", "Run the CDS Hooks service (patient-view) over HTTP.");
  opts.custom_help("[options]");
  // clang-format off
  opts.add_options()
    ("port", "TCP port; 0 lets the system choose (the port is printed)", cxxopts::value<int>()->default_value("8080"))
    ("bind", "address to listen on", cxxopts::value<std::string>()->default_value("127.0.0.1"))
    ("rules", "load the rule set (and its mappings/fhir.yaml) from DIR instead of the built-in one", cxxopts::value<std::string>())
    ("max-body", "largest request body accepted, in bytes", cxxopts::value<size_t>()->default_value("4194304"))
    ("log-level", "stderr log level: trace, debug, info, warn, error, off", cxxopts::value<std::string>()->default_value("warn"))
    ("h,help", "show this help");
  // clang-format on
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "oligoscreen serve: %s\nRun 'oligoscreen serve --help' for the options.\n", e.what());
    return kUsage;
  }
  if (args.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf(
        "Endpoints (CDS Hooks 1.0/2.0; docs/cds-hooks.md):\n"
        "  GET  /cds-services                 discovery: one service on the patient-view hook\n"
        "  POST /cds-services/ID              cards for the patient in the request's prefetch\n"
        "  POST /cds-services/ID/feedback     card feedback (logged without patient data)\n"
        "\n"
        "Example:\n"
        "  oligoscreen serve --port 8080 &\n"
        "  curl -s http://127.0.0.1:8080/cds-services\n"
        "\n"
        "Prints 'listening on http://ADDR:PORT' on stdout once ready. SIGTERM or SIGINT stops it\n"
        "gracefully (exit 0). Exit codes: 2 usage, 3 rules error, 4 cannot listen.\n");
    return kOk;
  }
  if (!set_log_level(args["log-level"].as<std::string>())) {
    std::fprintf(stderr, "oligoscreen serve: unknown --log-level '%s'\n", args["log-level"].as<std::string>().c_str());
    return kUsage;
  }
  if (!args.unmatched().empty()) {
    std::fprintf(stderr, "oligoscreen serve: unexpected argument '%s' (serve takes options only)\n",
                 args.unmatched().front().c_str());
    return kUsage;
  }
  int port = args["port"].as<int>();
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "oligoscreen serve: --port must be 0-65535\n");
    return kUsage;
  }
  std::string bind = args["bind"].as<std::string>();
  std::string rules_dir = args.count("rules") ? args["rules"].as<std::string>() : "";
  auto rules = load_rules(rules_dir);
  if (!rules) return kRulesError;
  detail::Diagnostics diags;
  auto mapping = detail::load_fhir_mapping_for(rules_dir, rules->schema, diags);
  if (!mapping) {
    std::fprintf(stderr, "%s", diags.render().c_str());
    return kRulesError;
  }
  detail::CdsLimits limits;
  limits.max_body_bytes = args["max-body"].as<size_t>();
  auto service = std::make_shared<const detail::CdsService>(rules, mapping, limits);
  auto log = logger();

  // Signals: blocked here, before any thread starts, so that only the watcher receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  httplib::Server svr;
  svr.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  svr.set_payload_max_length(limits.max_body_bytes);
  svr.set_keep_alive_max_count(1000);
  svr.set_tcp_nodelay(true);  // headers and body are separate writes: no Nagle delay between them
  svr.set_logger([log](const httplib::Request& req, const httplib::Response& res) {
    // Method, path and status only: paths hold no patient data (service id, feedback).
    log->debug("{} {} -> {}", req.method, req.path, res.status);
  });
  svr.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // ours, already JSON
    const char* msg = res.status == 404   ? "no such endpoint (see GET /cds-services)"
                      : res.status == 413 ? "the request body is too large"
                      : res.status == 405 ? "method not allowed"
                                          : "the request could not be handled";
    reply(res, detail::CdsService::error(res.status, msg));
    return httplib::Server::HandlerResponse::Handled;
  }));
  svr.set_exception_handler([log](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    log->error("internal error while handling a request");
    reply(res, detail::CdsService::error(500, "internal error"));
  });
  svr.set_default_headers({{"Access-Control-Allow-Origin", "*"}});
  svr.Options(R"(/cds-services.*)", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Content-Type, Authorization");
    res.status = 204;
  });
  svr.Get("/cds-services",
          [service](const httplib::Request&, httplib::Response& res) { reply(res, service->discovery()); });
  svr.Post(R"(/cds-services/([^/]+))", [service](const httplib::Request& req, httplib::Response& res) {
    reply(res, service->call(req.matches[1].str(), req.get_header_value("Content-Type"), req.body));
  });
  svr.Post(R"(/cds-services/([^/]+)/feedback)", [service, log](const httplib::Request& req, httplib::Response& res) {
    detail::FeedbackSummary summary;
    auto r = service->feedback(req.matches[1].str(), req.get_header_value("Content-Type"), req.body, summary);
    if (r.status == 200) {
      log->info("feedback: {} item(s)", summary.items);
      for (const auto& line : summary.lines) log->info("feedback: {}", line);
    }
    reply(res, r);
  });

  int bound = port;
  if (port == 0) {
    bound = svr.bind_to_any_port(bind);
    if (bound <= 0) bound = -1;
  } else if (!svr.bind_to_port(bind, port)) {
    bound = -1;
  }
  if (bound < 0) {
    std::fprintf(stderr, "oligoscreen serve: cannot listen on %s:%d\n", bind.c_str(), port);
    return kIoError;
  }
  log->info("CDS Hooks service {} (rule set {} {}, sha256 {}; FHIR mapping sha256 {}) on {}:{}", service->service_id(),
            rules->manifest.id, rules->manifest.version, rules->sha256, mapping->sha256, bind, bound);
  std::printf("listening on http://%s:%d\n", bind.c_str(), bound);
  std::fflush(stdout);

  std::atomic<bool> done{false};
  std::atomic<int> caught{0};
  std::thread watcher([&] {
    while (!done.load()) {
      timespec wait{0, 100 * 1000 * 1000};
      int sig = sigtimedwait(&stop_signals, nullptr, &wait);
      if (sig == SIGTERM || sig == SIGINT) {
        caught = sig;
        svr.stop();  // stops accepting; listen_after_bind() returns once the workers are done
        return;
      }
    }
  });
  bool ok = svr.listen_after_bind();
  done = true;
  watcher.join();
  if (caught.load() != 0) {
    log->info("stopped on signal {}", caught.load());
    return kOk;
  }
  if (!ok) {
    std::fprintf(stderr, "oligoscreen serve: the listening socket failed\n");
    return kIoError;
  }
  return kOk;
}

}  // namespace oligoscreen::cli
