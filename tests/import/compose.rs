//! Small hand-written compose files, one heuristic each.

use archsim::import::ImportOptions;
use archsim::model::ServiceKind;

use super::*;

fn compose(files: &[(&str, &str)]) -> (tempfile::TempDir, ImportOutcome) {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, text) in files {
        let path = write(dir.path(), name, text);
        if !name.starts_with(".env") && !name.ends_with(".env") {
            paths.push(path);
        }
    }
    let outcome = import(&paths);
    (dir, outcome)
}

#[test]
fn depends_on_list_and_map_forms_are_high_confidence() {
    let (_dir, outcome) = compose(&[(
        "compose.yaml",
        "services:\n  web:\n    image: shop/web\n    depends_on: [api]\n  api:\n    image: shop/api\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n",
    )]);
    let t = &outcome.topology;
    assert_eq!(edges(t), pairs(&[("web", "api"), ("api", "db")]));
    assert_eq!(confidence(t, "web", "api"), "high");
    assert_eq!(service(t, "db").kind, ServiceKind::Database);
    assert_eq!(t.workload[0].to, "web");
}

#[test]
fn links_with_aliases_give_edges_and_names() {
    let (_dir, outcome) = compose(&[(
        "compose.yaml",
        "version: '2'\nservices:\n  app:\n    image: shop/app\n    links: ['cache:sessions']\n    environment:\n      SESSION_HOST: sessions\n  cache:\n    image: memcached:1.6\n",
    )]);
    let t = &outcome.topology;
    assert_eq!(edges(t), pairs(&[("app", "cache")]));
    let found = evidence(&outcome, "app", "cache");
    assert!(
        found.iter().any(|e| e.contains("links: cache:sessions")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|e| e.contains("SESSION_HOST=sessions")),
        "{found:?}"
    );
    assert_eq!(service(t, "cache").kind, ServiceKind::Cache);
}

#[test]
fn environment_list_and_map_forms_name_services() {
    let (_dir, outcome) = compose(&[(
        "compose.yaml",
        r#"services:
  a:
    image: x/a
    environment:
      - ORDERS_URL=http://orders:8080/api
      - "STOCK_ADDR=stock:9000"
      - LOG_LEVEL=debug
      - ORDERS_REPLICA=orders
  b:
    image: x/b
    environment:
      PAYMENTS_ENDPOINT: "grpc://payments:50051"
      RETRIES: 3
      BROKERS: "queue-1:9092,queue-2:9092"
  orders: {image: x/orders}
  stock: {image: x/stock}
  payments: {image: x/payments}
  queue-1: {image: bitnami/kafka}
  queue-2: {image: bitnami/kafka}
"#,
    )]);
    let t = &outcome.topology;
    assert_eq!(
        edges(t),
        pairs(&[
            ("a", "orders"),
            ("a", "stock"),
            ("b", "payments"),
            ("b", "queue-1"),
            ("b", "queue-2")
        ])
    );
    assert_eq!(confidence(t, "a", "orders"), "medium");
    // A bare name under a variable whose name says nothing about addresses
    // (ORDERS_REPLICA) is not evidence.
    let orders = evidence(&outcome, "a", "orders");
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(service(t, "queue-1").kind, ServiceKind::Queue);
}

#[test]
fn pass_through_variables_and_interpolation_use_the_dotenv_beside_the_file() {
    let (_dir, outcome) = compose(&[
        (
            ".env",
            "CART_HOST=cart\nCART_PORT=7070\nCART_ADDR=${CART_HOST}:${CART_PORT}\nDB=${DB_NAME:-inventory-db}\nREGISTRY=\n",
        ),
        (
            "compose.yaml",
            r#"services:
  front:
    image: ${REGISTRY:-docker.io/}shop/front:${TAG:-1.0}
    environment:
      - CART_ADDR
      - INVENTORY_DSN=postgres://u:p@${DB}:5432/inv
      - CHECKOUT_URL=http://${CHECKOUT_HOST:-checkout}:80
  cart: {image: shop/cart}
  checkout: {image: shop/checkout}
  inventory-db: {image: "mysql:8"}
"#,
        ),
    ]);
    let t = &outcome.topology;
    assert_eq!(
        edges(t),
        pairs(&[
            ("front", "cart"),
            ("front", "inventory-db"),
            ("front", "checkout")
        ])
    );
    let cart = evidence(&outcome, "front", "cart");
    assert!(
        cart[0].contains("CART_ADDR=cart:7070 (value from .env)"),
        "{cart:?}"
    );
    let image = &service(t, "front").extensions[EXTENSION_KEY]["image"];
    assert_eq!(image, "docker.io/shop/front:1.0");
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
}

#[test]
fn env_file_values_name_services() {
    let (_dir, outcome) = compose(&[
        (
            "app.env",
            "# settings\nSEARCH_URL=http://search:9200\nexport CACHE_HOST=redis\n",
        ),
        (
            "compose.yaml",
            "services:\n  app:\n    image: x/app\n    env_file: [app.env, missing.env]\n  search: {image: 'elasticsearch:8'}\n  redis: {image: 'redis:7'}\n",
        ),
    ]);
    let t = &outcome.topology;
    assert_eq!(edges(t), pairs(&[("app", "search"), ("app", "redis")]));
    let found = evidence(&outcome, "app", "search");
    assert!(found[0].contains("env_file app.env:2"), "{found:?}");
    assert!(
        outcome.warnings.iter().any(|w| w.contains("missing.env")),
        "{:?}",
        outcome.warnings
    );
}

#[test]
fn hostname_container_name_and_otel_service_name_are_aliases() {
    let (_dir, outcome) = compose(&[(
        "compose.yaml",
        r#"services:
  web:
    image: x/web
    environment:
      A_HOST: users.internal
      B_ADDR: "pay-container:80"
      C_URL: "http://orders-svc:1"
  users:
    image: x/users
    hostname: users.internal
  pay:
    image: x/pay
    container_name: pay-container
  orders:
    image: x/orders
    environment:
      OTEL_SERVICE_NAME: orders-svc
"#,
    )]);
    assert_eq!(
        edges(&outcome.topology),
        pairs(&[("web", "users"), ("web", "pay"), ("web", "orders")])
    );
}

#[test]
fn command_arguments_are_low_confidence_guesses() {
    let (_dir, outcome) = compose(&[(
        "compose.yaml",
        r#"services:
  worker:
    image: x/worker
    command: ["--broker=amqp://rabbit:5672", "--target", "api", "echo the api is up"]
  api: {image: x/api}
  rabbit: {image: "rabbitmq:3"}
"#,
    )]);
    let t = &outcome.topology;
    assert_eq!(edges(t), pairs(&[("worker", "rabbit"), ("worker", "api")]));
    assert_eq!(confidence(t, "worker", "api"), "low");
    assert_eq!(confidence(t, "worker", "rabbit"), "medium");
}

#[test]
fn replicas_from_deploy_and_interpolation() {
    let (_dir, outcome) = compose(&[
        (".env", "API_REPLICAS=3\n"),
        (
            "compose.yaml",
            "services:\n  api:\n    image: x/api\n    deploy:\n      replicas: ${API_REPLICAS}\n  web:\n    image: x/web\n    deploy: {replicas: 2}\n    depends_on: [api]\n  old:\n    image: x/old\n    deploy: {replicas: 0}\n",
        ),
    ]);
    let t = &outcome.topology;
    assert_eq!(service(t, "api").replicas, 3);
    assert_eq!(service(t, "web").replicas, 2);
    assert_eq!(service(t, "old").replicas, 1);
    assert!(
        outcome.warnings.iter().any(|w| w.contains("replicas is 0")),
        "{:?}",
        outcome.warnings
    );
}

/// Found by fuzzing: `replicas: 4294967295` made the importer build a
/// topology that does not validate (`ImportError::Invalid`).
#[test]
fn replicas_beyond_what_archsim_simulates_are_scaled_down_with_a_warning() {
    let many: String = (0..12)
        .map(|i| format!("  s{i}:\n    image: x/s{i}\n    deploy: {{replicas: 4294967295}}\n"))
        .collect();
    let (_dir, outcome) = compose(&[
        (
            "compose.yaml",
            "services:\n  api:\n    image: x/api\n    deploy:\n      replicas: 4294967295\n  web:\n    image: x/web\n    deploy: {replicas: 2}\n    depends_on: [api]\n",
        ),
        ("more.yaml", &format!("services:\n{many}")),
    ]);
    let t = &outcome.topology;
    let total: u64 = t.services.iter().map(|s| s.replicas).sum();
    assert!(total <= 1_000_000, "{total} replicas together");
    assert!(service(t, "api").replicas > service(t, "web").replicas);
    assert!(service(t, "web").replicas >= 1);
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains("api: 4294967295 replicas are more than archsim simulates")),
        "{:?}",
        outcome.warnings
    );
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains("scaled down in proportion")),
        "{:?}",
        outcome.warnings
    );
}

#[test]
fn kinds_from_images_and_names() {
    let (_dir, outcome) = compose(&[(
        "compose.yaml",
        r#"services:
  edge: {image: "traefik:v3"}
  pg: {image: "postgres:16"}
  mongo-store: {image: "x/custom"}
  sessions: {image: "valkey/valkey:8"}
  bus: {image: "nats:2"}
  plain: {image: "x/plain"}
"#,
    )]);
    let t = &outcome.topology;
    assert_eq!(service(t, "edge").kind, ServiceKind::Gateway);
    assert_eq!(service(t, "pg").kind, ServiceKind::Database);
    assert_eq!(service(t, "mongo-store").kind, ServiceKind::Database);
    assert_eq!(service(t, "sessions").kind, ServiceKind::Cache);
    assert_eq!(service(t, "bus").kind, ServiceKind::Queue);
    assert_eq!(service(t, "plain").kind, ServiceKind::Service);
    let line = outcome
        .summary
        .services
        .iter()
        .find(|s| s.name == "mongo-store")
        .unwrap();
    assert_eq!(line.kind_confidence, Some(archsim::import::Confidence::Low));
    // Defaults differ by kind.
    assert!(service(t, "sessions").workers > service(t, "plain").workers);
}

#[test]
fn later_files_patch_earlier_ones() {
    let (_dir, outcome) = compose(&[
        (
            "a.yaml",
            "services:\n  app:\n    image: x/app:1\n    environment: [OLD_URL=http://old:1]\n  old: {image: x/old}\n",
        ),
        (
            "b.yaml",
            "services:\n  app:\n    image: redis:7\n    environment:\n      OLD_URL: http://new:1\n    depends_on: [new]\n  new: {image: x/new}\n",
        ),
    ]);
    let t = &outcome.topology;
    // b.yaml replaced the image and the value of OLD_URL and added a dependency.
    assert_eq!(service(t, "app").kind, ServiceKind::Cache);
    assert_eq!(edges(t), pairs(&[("app", "new")]));
    assert_eq!(t.services.len(), 3);
}

#[test]
fn unknown_names_and_odd_shapes_are_warnings() {
    let (_dir, outcome) = compose(&[(
        "compose.yaml",
        "services:\n  a:\n    image: x/a\n    depends_on: [ghost]\n    environment: 5\n  b: just-a-string\n  c:\n",
    )]);
    let t = &outcome.topology;
    assert_eq!(names(t), ["a", "c"]);
    let warnings = outcome.warnings.join("\n");
    assert!(warnings.contains("ghost"), "{warnings}");
    assert!(warnings.contains("services.b"), "{warnings}");
    assert!(warnings.contains("environment"), "{warnings}");
}

#[test]
fn call_cycles_lose_their_weakest_call() {
    let (_dir, outcome) = compose(&[(
        "compose.yaml",
        "services:\n  a:\n    image: x/a\n    depends_on: [b]\n  b:\n    image: x/b\n    environment: [CALLBACK_URL=http://a:80/hook]\n",
    )]);
    let t = &outcome.topology;
    assert_eq!(edges(t), pairs(&[("a", "b")]));
    assert_eq!(outcome.summary.dropped_calls.len(), 1);
    assert!(
        outcome.warnings.iter().any(|w| w.contains("b → a")),
        "{:?}",
        outcome.warnings
    );
}

#[test]
fn observability_is_left_out_or_kept_as_optional_external_calls() {
    let text = "services:\n  api:\n    image: x/api\n    depends_on: [jaeger]\n    environment: [OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317]\n  jaeger: {image: 'jaegertracing/jaeger:2'}\n  collector: {image: 'otel/opentelemetry-collector-contrib:0.100.0'}\n";
    let (_dir, outcome) = compose(&[("compose.yaml", text)]);
    assert_eq!(names(&outcome.topology), ["api"]);
    assert!(
        outcome.summary.left_out[0].contains("jaeger, collector"),
        "{:?}",
        outcome.summary.left_out
    );

    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "compose.yaml", text);
    let options = ImportOptions {
        keep_observability: true,
        ..ImportOptions::default()
    };
    let kept = import_with(&[path], &options).topology;
    assert_eq!(
        edges(&kept),
        pairs(&[("api", "jaeger"), ("api", "collector")])
    );
    assert!(calls(service(&kept, "api")).iter().all(|c| c.optional));
    assert_eq!(service(&kept, "collector").kind, ServiceKind::External);
}

#[test]
fn entry_rate_and_name_options_apply() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n",
    );
    let options = ImportOptions {
        entry_rate_rps: 42.0,
        name: Some("Shop".to_owned()),
        ..ImportOptions::default()
    };
    let t = import_with(&[path], &options).topology;
    assert_eq!(t.name, "Shop");
    assert_eq!(t.workload[0].rate_rps, 42.0);
    assert_eq!(t.workload[0].to, "web");
}
