//! The real files in `tests/fixtures`: each gives the services and edges it
//! declares (counts from SOURCES.md, checked by hand).

use archsim::import::ImportOptions;
use archsim::model::ServiceKind;

use super::*;

/// Services with no call in or out, by name.
fn unconnected(t: &Topology) -> Vec<&str> {
    let all = edges(t);
    let mut names: Vec<&str> = t
        .services
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| !all.iter().any(|(a, b)| a == n || b == n))
        .collect();
    names.sort_unstable();
    names
}

fn keep_observability() -> ImportOptions {
    ImportOptions {
        keep_observability: true,
        ..ImportOptions::default()
    }
}

#[test]
fn online_boutique_manifests_give_services_and_the_16_addr_edges() {
    let outcome = import(&[fixture("online-boutique/kubernetes-manifests.yaml")]);
    let t = &outcome.topology;
    let mut got = names(t);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            "adservice",
            "cartservice",
            "checkoutservice",
            "currencyservice",
            "emailservice",
            "frontend",
            "loadgenerator",
            "paymentservice",
            "productcatalogservice",
            "recommendationservice",
            "redis-cart",
            "shippingservice"
        ]
    );
    let expected = pairs(&[
        ("frontend", "productcatalogservice"),
        ("frontend", "currencyservice"),
        ("frontend", "cartservice"),
        ("frontend", "recommendationservice"),
        ("frontend", "shippingservice"),
        ("frontend", "checkoutservice"),
        ("frontend", "adservice"),
        ("cartservice", "redis-cart"),
        ("loadgenerator", "frontend"),
        ("recommendationservice", "productcatalogservice"),
        ("checkoutservice", "productcatalogservice"),
        ("checkoutservice", "shippingservice"),
        ("checkoutservice", "paymentservice"),
        ("checkoutservice", "emailservice"),
        ("checkoutservice", "currencyservice"),
        ("checkoutservice", "cartservice"),
    ]);
    assert_eq!(edges(t), expected);
    assert_eq!(confidence(t, "checkoutservice", "paymentservice"), "medium");
    let cart = evidence(&outcome, "cartservice", "redis-cart");
    assert!(
        cart.iter()
            .any(|e| e.contains("REDIS_ADDR=redis-cart:6379")),
        "{cart:?}"
    );
    // The initContainer's FRONTEND_ADDR is evidence too.
    let loadgen = evidence(&outcome, "loadgenerator", "frontend");
    assert!(
        loadgen
            .iter()
            .any(|e| e.contains("initContainers[frontend-check]")),
        "{loadgen:?}"
    );

    assert_eq!(service(t, "redis-cart").kind, ServiceKind::Cache);
    assert_eq!(service(t, "loadgenerator").kind, ServiceKind::External);
    // Traffic enters where the load generator sends it.
    assert_eq!(t.workload.len(), 1);
    assert_eq!(t.workload[0].to, "frontend");
    // The Service nobody deploys is reported, not invented.
    let notes: Vec<String> = outcome
        .summary
        .notes
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("shoppingassistantservice")),
        "{notes:?}"
    );
    assert_eq!(t.scenarios[0].name, "baseline");
}

#[test]
fn opentelemetry_demo_compose_gives_depends_on_and_address_edges() {
    let outcome = import_with(
        &[fixture("opentelemetry-demo/compose.yaml")],
        &keep_observability(),
    );
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 20);
    let declared = outcome
        .summary
        .edges
        .iter()
        .filter(|e| e.evidence.iter().any(|ev| ev.contains("depends_on:")))
        .count();
    assert_eq!(declared, 46, "depends_on edges");
    let to_collector = edges(t)
        .iter()
        .filter(|(_, to)| to == "otel-collector")
        .count();
    assert!(to_collector >= 13, "{to_collector}");
    let all = edges(t);
    for (from, to) in [
        ("shipping", "quote"),
        ("checkout", "cart"),
        ("frontend", "recommendation"),
        ("product-catalog", "astronomy-db"),
        ("otel-collector", "astronomy-db"),
        ("cart", "valkey-cart"),
        ("load-generator", "frontend-proxy"),
    ] {
        assert!(
            all.contains(&(from.to_owned(), to.to_owned())),
            "missing {from} → {to}"
        );
    }
    // shipping → quote exists only through QUOTE_ADDR, passed through from .env.
    assert_eq!(confidence(t, "shipping", "quote"), "medium");
    let quote = evidence(&outcome, "shipping", "quote");
    assert!(
        quote
            .iter()
            .any(|e| e.contains("QUOTE_ADDR=http://quote:8090")),
        "{quote:?}"
    );
    // ${POSTGRES_HOST} inside a connection string.
    let db = evidence(&outcome, "product-catalog", "astronomy-db");
    assert!(db.iter().any(|e| e.contains("POSTGRES_HOST")), "{db:?}");
    assert_eq!(confidence(t, "checkout", "cart"), "high");

    assert_eq!(service(t, "astronomy-db").kind, ServiceKind::Database);
    assert_eq!(service(t, "valkey-cart").kind, ServiceKind::Cache);
    assert_eq!(service(t, "frontend-proxy").kind, ServiceKind::Gateway);
    // Kept observability is external and called optionally.
    assert_eq!(service(t, "otel-collector").kind, ServiceKind::External);
    assert!(
        calls(service(t, "checkout"))
            .iter()
            .filter(|c| c.to == "otel-collector")
            .all(|c| c.optional)
    );
    // The collector's own calls (it scrapes services that export to it) are
    // in an operation no request calls: in the graph, without cycles.
    let collector = service(t, "otel-collector");
    let background = collector
        .operations
        .iter()
        .find(|o| o.name == "background")
        .unwrap();
    assert!(
        background
            .calls
            .iter()
            .any(|c| c.calls()[0].to == "astronomy-db")
    );
    assert!(
        outcome.summary.dropped_calls.is_empty(),
        "{:?}",
        outcome.summary.dropped_calls
    );
    assert_eq!(t.workload.len(), 1);
    assert_eq!(t.workload[0].to, "frontend-proxy");
}

#[test]
fn opentelemetry_demo_leaves_observability_out_by_default() {
    let outcome = import(&[fixture("opentelemetry-demo/compose.yaml")]);
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 19);
    assert!(!names(t).contains(&"otel-collector"));
    assert!(outcome.summary.left_out[0].contains("otel-collector"));
    assert!(edges(t).contains(&("shipping".to_owned(), "quote".to_owned())));
    assert!(
        outcome.summary.dropped_calls.is_empty(),
        "{:?}",
        outcome.summary.dropped_calls
    );
}

#[test]
fn opentelemetry_full_overlay_adds_kafka_and_its_edges() {
    let outcome = import_with(
        &[
            fixture("opentelemetry-demo/compose.yaml"),
            fixture("opentelemetry-demo/compose.full.yaml"),
        ],
        &keep_observability(),
    );
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 23);
    assert_eq!(service(t, "kafka").kind, ServiceKind::Queue);
    let all = edges(t);
    for (from, to) in [
        ("checkout", "kafka"),
        ("accounting", "kafka"),
        ("fraud-detection", "kafka"),
        ("otel-collector", "kafka"),
        ("accounting", "astronomy-db"),
    ] {
        assert!(
            all.contains(&(from.to_owned(), to.to_owned())),
            "missing {from} → {to}"
        );
    }
    // The overlay patched checkout: its earlier edges are still there.
    assert!(all.contains(&("checkout".to_owned(), "payment".to_owned())));
    let kafka = evidence(&outcome, "checkout", "kafka");
    assert!(
        kafka.iter().any(|e| e.starts_with("compose.full.yaml")),
        "{kafka:?}"
    );
}

#[test]
fn hotrod_trace_gives_its_call_graph() {
    let outcome = import(&[fixture("hotrod/getTrace-response.json")]);
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 6);
    let expected = pairs(&[
        ("frontend", "customer"),
        ("frontend", "driver"),
        ("frontend", "route"),
        ("customer", "mysql"),
        ("driver", "redis-manual"),
    ]);
    assert_eq!(edges(t), expected);
    let frontend = service(t, "frontend");
    assert_eq!(frontend.operations.len(), 1);
    assert_eq!(frontend.operations[0].name, "GET /dispatch");
    // Ten route calls, three at a time: a parallel group whose expected
    // number of calls is ten.
    let route: Vec<&Call> = calls(frontend)
        .into_iter()
        .filter(|c| c.to == "route")
        .collect();
    assert!(route.len() > 1, "route calls are not parallel: {route:?}");
    let expected_calls: f64 = route.iter().map(|c| c.probability * c.count as f64).sum();
    assert!((expected_calls - 10.0).abs() < 0.01, "{expected_calls}");
    let driver = calls(service(t, "driver"));
    let get_driver = driver.iter().find(|c| c.operation == "GetDriver").unwrap();
    assert_eq!(get_driver.count, 13);
    assert!(
        driver
            .iter()
            .any(|c| c.operation == "FindDriverIDs" && c.count == 1)
    );
    assert_eq!(service(t, "mysql").kind, ServiceKind::Database);
    assert_eq!(t.workload.len(), 1);
    assert_eq!(
        (t.workload[0].to.as_str(), t.workload[0].operation.as_str()),
        ("frontend", "GET /dispatch")
    );
}

#[test]
fn genai_trace_gives_nine_cross_service_edges() {
    let outcome = import(&[fixture("jaeger-ui-test-traces/genaiTestTrace.json")]);
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 10);
    let expected = pairs(&[
        ("api-edge", "graphql-gateway"),
        ("graphql-gateway", "coding-agent"),
        ("coding-agent", "mcp-gateway"),
        ("coding-agent", "vector-store"),
        ("mcp-gateway", "auth-service"),
        ("mcp-gateway", "metrics-backend"),
        ("mcp-gateway", "summarizer-agent"),
        ("mcp-gateway", "trace-store"),
        ("trace-store", "k8s-api"),
    ]);
    assert_eq!(edges(t), expected);
    assert_eq!(t.workload[0].to, "api-edge");
    assert_eq!(t.workload[0].operation, "POST /api/graphql");
}

#[test]
fn petclinic_trace_gives_gateway_to_customers_service() {
    let outcome = import(&[fixture(
        "jaeger-ui-test-traces/spansAmongEachOtherGrouped.json",
    )]);
    let t = &outcome.topology;
    assert_eq!(edges(t), pairs(&[("api-gateway", "customers-service")]));
    let call = calls(service(t, "api-gateway"))[0];
    assert_eq!(call.operation, "GET /owners");
    assert_eq!(
        service(t, "customers-service").operations[0].name,
        "GET /owners"
    );
}

#[test]
fn otlp_and_jaeger_versions_of_one_trace_agree() {
    let jaeger = import(&[fixture("jaeger-query-fixtures/otlp2jaeger-out.json")]).topology;
    let otlp = import(&[fixture("jaeger-query-fixtures/otlp2jaeger-in.json")]).topology;
    assert_eq!(names(&jaeger), ["telemetrygen"]);
    // The same services and operations; only the file names in the
    // x-import notes differ.
    let strip = |t: &Topology| {
        let mut services = t.services.clone();
        for s in &mut services {
            s.extensions.clear();
        }
        services
    };
    assert_eq!(strip(&jaeger), strip(&otlp));
    assert_eq!(jaeger.workload.len(), 1);
    assert_eq!(jaeger.workload[0].to, otlp.workload[0].to);
    assert_eq!(jaeger.workload[0].operation, "okey-dokey-0");
    assert_eq!(jaeger.workload[0].rate_rps, otlp.workload[0].rate_rps);
}

#[test]
fn otlp_example_gives_one_service_and_operation() {
    let t = import(&[fixture("opentelemetry-proto/trace.json")]).topology;
    assert_eq!(names(&t), ["my.service"]);
    let op = &service(&t, "my.service").operations[0];
    assert_eq!(op.name, "I'm a server span");
    assert_eq!(
        op.service_time,
        Some(archsim::model::Distribution::Constant { ms: 1000.0 })
    );
}

#[test]
fn deathstarbench_social_network_gives_its_declared_edges_and_what_its_names_say() {
    let kept = import_with(
        &[fixture("deathstarbench-social-network/docker-compose.yml")],
        &keep_observability(),
    );
    assert_eq!(kept.topology.services.len(), 27);
    let declared = kept
        .summary
        .edges
        .iter()
        .filter(|e| e.evidence.iter().any(|ev| ev.contains("depends_on:")))
        .count();
    assert_eq!(declared, 19);
    let to_agent = edges(&kept.topology)
        .iter()
        .filter(|(_, to)| to == "jaeger-agent")
        .count();
    assert_eq!(to_agent, 13);

    let outcome = import(&[fixture("deathstarbench-social-network/docker-compose.yml")]);
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 26);
    // 6 declared (to the *-mongodb), the rest from names; was 6 before names were read.
    assert!(edges(t).len() >= 20, "{}", edges(t).len());
    assert_eq!(unconnected(t), Vec::<&str>::new());
    assert!(edges(t).contains(&("user-service".to_owned(), "user-mongodb".to_owned())));
    assert_eq!(confidence(t, "user-service", "user-mongodb"), "high");
    for (from, to, why) in [
        (
            "user-timeline-service",
            "user-timeline-redis",
            "user-timeline-redis is a datastore named after user-timeline-service",
        ),
        (
            "post-storage-service",
            "post-storage-memcached",
            "post-storage-memcached is a datastore named after post-storage-service",
        ),
        (
            "media-frontend",
            "media-service",
            "media-frontend is the front end of media-service",
        ),
        (
            "nginx-thrift",
            "compose-post-service",
            "nginx-thrift is the front door",
        ),
    ] {
        assert_eq!(confidence(t, from, to), "low", "{from} → {to}");
        let found = evidence(&outcome, from, to);
        assert!(
            found.iter().any(|e| e.contains(why)),
            "{from} → {to}: {found:?}"
        );
    }
    assert_eq!(service(t, "user-mongodb").kind, ServiceKind::Database);
    assert_eq!(service(t, "nginx-thrift").kind, ServiceKind::Gateway);
    assert_eq!(t.workload[0].to, "nginx-thrift");
}

#[test]
fn deathstarbench_hotel_reservation_gives_its_declared_edges_and_its_front_door() {
    let outcome = import_with(
        &[fixture(
            "deathstarbench-hotel-reservation/docker-compose.yml",
        )],
        &keep_observability(),
    );
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 24);
    let declared = outcome
        .summary
        .edges
        .iter()
        .filter(|e| e.evidence.iter().any(|ev| ev.contains("depends_on:")))
        .count();
    assert_eq!(declared, 22);
    assert_eq!(edges(t).iter().filter(|(_, to)| to == "consul").count(), 10);
    assert!(edges(t).contains(&("profile".to_owned(), "memcached-profile".to_owned())));
    // The config.json that compose mounts (`configs: server_config`) says
    // whose each datastore is, by its keys.
    for (from, to, key) in [
        ("geo", "mongodb-geo", "GeoMongoAddress=mongodb-geo:27017"),
        (
            "reservation",
            "memcached-reserve",
            "ReserveMemcAddress=memcached-reserve:11211",
        ),
        (
            "recommendation",
            "mongodb-recommendation",
            "RecommendMongoAddress",
        ),
    ] {
        let found = evidence(&outcome, from, to);
        assert!(
            found.iter().any(
                |e| e.starts_with("config.json: mounted config ./config.json") && e.contains(key)
            ),
            "{from} → {to}: {found:?}"
        );
    }
    // Consul is only asked where to go; the front end, which calls nothing
    // else, is guessed to call the services nobody calls.
    for to in ["search", "profile", "reservation", "user"] {
        assert_eq!(confidence(t, "frontend", to), "low", "frontend → {to}");
    }
    assert!(edges(t).len() >= 30, "{}", edges(t).len());
    // Three memcached services copy one hostname; it matches none of them.
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains("user-memcached")),
        "{:?}",
        outcome.warnings
    );
    assert_eq!(t.workload[0].to, "frontend");
}

#[test]
fn train_ticket_gives_many_services_their_datastores_and_a_front_door() {
    let outcome = import(&[fixture("train-ticket/docker-compose.yml")]);
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 68);
    // Was 1 edge before names were read: 1 declared, 23 datastores named
    // after their services, 41 from the dashboard to the services.
    assert!(edges(t).len() >= 60, "{}", edges(t).len());
    assert_eq!(
        confidence(t, "ts-voucher-service", "ts-voucher-mysql"),
        "high"
    );
    let auth = evidence(&outcome, "ts-auth-service", "ts-auth-mongo");
    assert_eq!(
        auth,
        [
            "docker-compose.yml: naming: ts-auth-mongo is a datastore named after ts-auth-service and no other service uses it [low]"
        ]
    );
    // ts-travel-mongo is ts-travel-service's, not ts-travel2-service's.
    assert!(edges(t).contains(&("ts-travel-service".to_owned(), "ts-travel-mongo".to_owned())));
    assert!(edges(t).contains(&(
        "ts-travel2-service".to_owned(),
        "ts-travel2-mongo".to_owned()
    )));
    assert_eq!(confidence(t, "ts-ui-dashboard", "ts-order-service"), "low");
    // What no name explains stays unconnected: a mongo named after no
    // service, and redis.
    assert_eq!(unconnected(t), ["redis", "ts-account-mongo"]);
    // ${NAMESPACE}/...:${TAG} from the .env beside it.
    let image = &service(t, "ts-auth-service").extensions[EXTENSION_KEY]["image"];
    assert_eq!(image, "codewisdom/ts-auth-service:0.1.0");
    assert_eq!(service(t, "ts-auth-mongo").kind, ServiceKind::Database);
    assert_eq!(t.workload.len(), 1);
    assert_eq!(t.workload[0].to, "ts-ui-dashboard");
}

#[test]
fn sock_shop_gives_its_two_derivable_edges_and_what_its_names_say() {
    let outcome = import(&[fixture("sock-shop/docker-compose.yml")]);
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 15);
    // Was 2 edges (front-end connected to nothing).
    assert!(edges(t).len() >= 12, "{}", edges(t).len());
    assert_eq!(unconnected(t), Vec::<&str>::new());
    assert_eq!(confidence(t, "user", "user-db"), "medium");
    // From `command: "-d 60 -r 200 -c 2 -h edge-router"`: a guess.
    assert_eq!(confidence(t, "user-sim", "edge-router"), "low");
    for (from, to, why) in [
        (
            "edge-router",
            "front-end",
            "edge-router is a gateway that calls nothing declared, and front-end is the only front end nobody calls",
        ),
        (
            "front-end",
            "catalogue",
            "front-end is the front door and calls no application service declared; catalogue is called by nobody",
        ),
        ("front-end", "carts", "front-end is the front door"),
        ("front-end", "orders", "front-end is the front door"),
        ("front-end", "user", "front-end is the front door"),
        (
            "carts",
            "carts-db",
            "carts-db is a datastore named after carts and no other service uses it",
        ),
        (
            "catalogue",
            "catalogue-db",
            "catalogue-db is a datastore named after catalogue",
        ),
        (
            "orders",
            "orders-db",
            "orders-db is a datastore named after orders",
        ),
        (
            "queue-master",
            "rabbitmq",
            "queue-master works a queue and rabbitmq is the only queue nobody uses",
        ),
    ] {
        assert_eq!(confidence(t, from, to), "low", "{from} → {to}");
        let found = evidence(&outcome, from, to);
        assert_eq!(found.len(), 1, "{from} → {to}: {found:?}");
        assert!(found[0].contains(why), "{from} → {to}: {found:?}");
        assert!(
            found[0].starts_with("docker-compose.yml: naming: "),
            "{found:?}"
        );
    }
    assert_eq!(service(t, "user-sim").kind, ServiceKind::External);
    assert_eq!(t.workload[0].to, "edge-router");
}

#[test]
fn fixtures_that_declare_their_edges_get_none_from_names() {
    let boutique = import(&[fixture("online-boutique/kubernetes-manifests.yaml")]);
    let otel = import(&[
        fixture("opentelemetry-demo/compose.yaml"),
        fixture("opentelemetry-demo/compose.full.yaml"),
    ]);
    let hotrod = import(&[fixture("hotrod/docker-compose.yml")]);
    for outcome in [&boutique, &otel, &hotrod] {
        let guessed: Vec<String> = outcome
            .summary
            .edges
            .iter()
            .flat_map(|e| e.evidence.iter())
            .filter(|ev| ev.contains("naming:"))
            .cloned()
            .collect();
        assert!(guessed.is_empty(), "{guessed:?}");
    }
    assert!(edges(&hotrod.topology).is_empty());
}

#[test]
fn hotrod_compose_declares_hotrod_to_jaeger_twice() {
    let outcome = import_with(
        &[fixture("hotrod/docker-compose.yml")],
        &keep_observability(),
    );
    let t = &outcome.topology;
    assert_eq!(edges(t), pairs(&[("hotrod", "jaeger")]));
    let found = evidence(&outcome, "hotrod", "jaeger");
    assert_eq!(found.len(), 2, "{found:?}");
    // The application is not mistaken for observability by its image's organisation.
    let default = import(&[fixture("hotrod/docker-compose.yml")]).topology;
    assert_eq!(names(&default), ["hotrod"]);
}

#[test]
fn manifests_and_traces_merge_by_service_name() {
    let dir = tempfile::tempdir().unwrap();
    let trace = write(
        dir.path(),
        "trace.json",
        r#"{"data": [{"traceID": "t1", "processes": {"p1": {"serviceName": "frontend"}, "p2": {"serviceName": "cartservice"}},
          "spans": [
            {"traceID": "t1", "spanID": "a", "operationName": "GET /cart", "startTime": 1000, "duration": 5000, "processID": "p1", "references": []},
            {"traceID": "t1", "spanID": "b", "operationName": "GetCart", "startTime": 2000, "duration": 1000, "processID": "p2",
             "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "a"}]}
          ]}]}"#,
    );
    let outcome = import(&[fixture("online-boutique/kubernetes-manifests.yaml"), trace]);
    let t = &outcome.topology;
    assert_eq!(t.services.len(), 12, "{:?}", names(t));
    let frontend = service(t, "frontend");
    // The traced operation and, for the declared edges the trace did not
    // show, the default operation.
    let ops: Vec<&str> = frontend
        .operations
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(ops, ["GET /cart", "default"]);
    assert_eq!(edges(t).len(), 16);
    let cart = evidence(&outcome, "frontend", "cartservice");
    assert!(cart.iter().any(|e| e.contains("trace.json")), "{cart:?}");
    assert!(
        cart.iter().any(|e| e.contains("kubernetes-manifests.yaml")),
        "{cart:?}"
    );
    // Entries come from the trace's root spans.
    assert_eq!(t.workload.len(), 1);
    assert_eq!(t.workload[0].operation, "GET /cart");
    assert_eq!(service(t, "cartservice").operations[0].name, "GetCart");
}

#[test]
fn imported_hotrod_trace_reproduces_its_latency_when_simulated() {
    let topology = import(&[fixture("hotrod/getTrace-response.json")]).topology;
    let checked = archsim::model::check(topology.clone()).unwrap();
    let mut scenario = topology.scenarios[0].clone();
    scenario.duration_s = 600.0;
    let summary = archsim::sim::Simulation::new(
        &checked
            .check_scenario(scenario.clone())
            .expect("valid scenario"),
    )
    .unwrap()
    .run();
    let entry = &summary.entrypoints[0];
    assert!(entry.completed > 400, "{}", entry.completed);
    // The trace's root span, GET /dispatch, lasted 702.6 ms. At one request
    // per second there is almost no queueing, so the model built from the
    // trace (self times, ten route calls in three lanes, thirteen sequential
    // GetDriver calls) should take about as long.
    let mean = entry.latency_ms.mean;
    assert!(
        (mean - 702.6).abs() / 702.6 < 0.1,
        "simulated mean {mean} ms"
    );
}

#[test]
fn a_folder_imports_the_files_under_it_and_skips_the_others() {
    let file = import(&[fixture("online-boutique/kubernetes-manifests.yaml")]);
    let folder = import(&[fixture("online-boutique")]);
    assert_eq!(folder.topology.services, file.topology.services);

    // service-config.json is neither compose, manifest nor trace.
    let social = import(&[fixture("deathstarbench-social-network")]);
    assert!(social.topology.services.len() > 20);
    assert!(
        social
            .warnings
            .iter()
            .any(|w| w.contains("service-config.json") && w.contains("skipped")),
        "{:?}",
        social.warnings
    );
    assert!(
        social
            .files_read
            .iter()
            .all(|p| !p.ends_with("service-config.json"))
    );
}

#[test]
fn an_empty_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let err = archsim::import::import_paths(&[dir.path().to_owned()], &ImportOptions::default())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no .yaml, .yml, .json or .env files"),
        "{err}"
    );
}
