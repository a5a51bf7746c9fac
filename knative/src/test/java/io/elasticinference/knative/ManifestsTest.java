package io.elasticinference.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifests in knative/ parse, follow Knative's annotation rules, and stay consistent with each other. */
class ManifestsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path DIR = Path.of("").toAbsolutePath();
    private static final String OUR_CLASS = "latency.autoscaling.elasticinference.io";

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            for (JsonNode n : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> s = Files.walk(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("/target/")).sorted()
                    .toList();
        }
    }

    @Test
    void everyManifestParses() throws IOException {
        List<Path> files = yamlFiles();
        assertTrue(files.size() >= 5, "manifests found: " + files);
        for (Path f : files) {
            assertFalse(documents(f).isEmpty(), f + " holds no document");
        }
        JsonNode dashboard = new ObjectMapper().readTree(DIR.resolve("grafana/dashboard.json").toFile());
        assertTrue(dashboard.path("panels").size() >= 5);
    }

    /**
     * Every series the dashboard queries is one the function documents (docs/metrics.md) or the controller
     * registers: a renamed metric would otherwise leave an empty panel that nobody notices.
     */
    @Test
    void theDashboardQueriesOnlyMetricsThatExist() throws IOException {
        String dashboard = Files.readString(DIR.resolve("grafana/dashboard.json"));
        String documented = Files.readString(DIR.resolve("../docs/metrics.md"));
        String controller;
        try (Stream<Path> sources = Files.walk(DIR.resolve("../autoscaler-ext/controller/src/main/java"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(f));
            }
            controller = all.toString();
        }
        Matcher m = Pattern.compile("\\b(inference_[a-z_]+|latency_autoscaler_[a-z_]+)").matcher(dashboard);
        int seen = 0;
        while (m.find()) {
            String name = m.group(1).replaceAll("_(bucket|count|sum)$", "");
            seen++;
            assertTrue(documented.contains("`" + name + "`") || controller.contains("\"" + name + "\""),
                    "the dashboard queries " + m.group(1) + ", which nothing exports");
        }
        assertTrue(seen >= 6, "the dashboard queries the function's and the controller's metrics");
    }

    static JsonNode service(String file) throws IOException {
        JsonNode svc = documents(DIR.resolve(file)).get(0);
        assertEquals("serving.knative.dev/v1", svc.path("apiVersion").asText());
        assertEquals("Service", svc.path("kind").asText());
        return svc;
    }

    @Test
    void knativeAnnotationRules() throws IOException {
        for (String file : List.of("function-kpa.yaml", "function-latency.yaml")) {
            JsonNode a = service(file).path("spec").path("template").path("metadata").path("annotations");
            String cls = a.path("autoscaling.knative.dev/class").asText();
            assertTrue(cls.equals("kpa.autoscaling.knative.dev") || cls.equals(OUR_CLASS), file + ": class " + cls);
            // Knative's webhook rejects custom classes in its own domain
            assertTrue(cls.equals("kpa.autoscaling.knative.dev") || !cls.endsWith(".knative.dev"));
            if (a.has("autoscaling.knative.dev/window")) {
                double w = seconds(a.path("autoscaling.knative.dev/window").asText());
                assertTrue(w >= 6 && w <= 3600, file + ": window " + w);
            }
            range(a, "autoscaling.knative.dev/panic-window-percentage", 1, 100, file);
            range(a, "autoscaling.knative.dev/panic-threshold-percentage", 110, 1000, file);
            range(a, "autoscaling.knative.dev/target-utilization-percentage", 1, 100, file);
            if (a.has("autoscaling.knative.dev/target")) {
                assertTrue(a.path("autoscaling.knative.dev/target").asDouble() >= 0.01, file + ": target");
            }
            int min = a.path("autoscaling.knative.dev/min-scale").asInt(0);
            int max = a.path("autoscaling.knative.dev/max-scale").asInt(0);
            assertTrue(min >= 0 && (max == 0 || min <= max), file + ": min " + min + " max " + max);
            if (cls.equals(OUR_CLASS)) {
                double objective = a.path("latency.autoscaling.elasticinference.io/objective").asDouble();
                assertTrue(objective > 0, file + ": objective annotation");
            }
        }
    }

    private static void range(JsonNode a, String key, double lo, double hi, String file) {
        if (a.has(key)) {
            double v = a.path(key).asDouble();
            assertTrue(v >= lo && v <= hi, file + ": " + key + " = " + v);
        }
    }

    static double seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)(h|m|s)").matcher(duration);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                case "h" -> 3600;
                case "m" -> 60;
                default -> 1;
            };
        }
        return total;
    }

    @Test
    void bothVariantsRunTheSameImageAndResources() throws IOException {
        JsonNode kpa = service("function-kpa.yaml").path("spec").path("template").path("spec");
        JsonNode latency = service("function-latency.yaml").path("spec").path("template").path("spec");
        assertEquals(kpa.path("containers"), latency.path("containers"), "containers must be identical");
        assertEquals(kpa.path("containerConcurrency"), latency.path("containerConcurrency"));
        JsonNode res = kpa.path("containers").get(0).path("resources");
        assertEquals(res.path("requests").path("cpu"), res.path("limits").path("cpu"), "CPU request = limit");
        assertEquals("/q/health/ready", kpa.path("containers").get(0).path("readinessProbe").path("httpGet")
                .path("path").asText(), "readiness on the model being warm");
    }

    /**
     * The function's native heap goes back to the kernel through the JVM image's periodic trim, not a fixed glibc mmap
     * threshold in the manifests: the threshold, which overrides the image's own setting, cost ~0.6 s of every start
     * (docs/benchmarks.md, "Zen 5"), and without either the peak RSS rose from ~380 to 553 MB under a 512Mi limit.
     */
    @Test
    void theJvmImageTrimsTheNativeHeapAndTheManifestsFixNoMmapThreshold() throws IOException {
        for (String file : List.of("function-kpa.yaml", "function-latency.yaml")) {
            JsonNode env = service(file).path("spec").path("template").path("spec").path("containers").get(0)
                    .path("env");
            for (JsonNode variable : env) {
                assertFalse(variable.path("name").asText().startsWith("MALLOC_MMAP_THRESHOLD"),
                        file + " fixes glibc's mmap threshold");
            }
        }
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT \\[([^]]*)]")
                .matcher(Files.readString(DIR.resolve("../Dockerfile.jvm")));
        assertTrue(entrypoint.find(), "Dockerfile.jvm has an ENTRYPOINT [...]");
        assertTrue(entrypoint.group(1).matches("(?s).*\"-XX:TrimNativeHeapInterval=[1-9][0-9]*\".*"),
                "Dockerfile.jvm's ENTRYPOINT trims the native heap: " + entrypoint.group(1));
    }

    @Test
    void rbacIsEnumeratedAndMinimal() throws IOException {
        JsonNode role = documents(DIR.resolve("controller.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("ClusterRole")).findFirst().orElse(MissingNode.getInstance());
        assertFalse(role.isMissingNode(), "controller.yaml has a ClusterRole");
        Map<String, Set<String>> allowed = Map.of(
                "autoscaling.internal.knative.dev/podautoscalers", Set.of("get", "list", "watch"),
                "autoscaling.internal.knative.dev/podautoscalers/status", Set.of("get", "update", "patch"),
                "networking.internal.knative.dev/serverlessservices",
                Set.of("get", "list", "watch", "create", "update", "patch"),
                "apps/deployments", Set.of("get", "list", "watch"),
                "apps/deployments/scale", Set.of("get", "update", "patch"),
                "/pods", Set.of("get", "list", "watch"),
                "/endpoints", Set.of("get", "list", "watch"),
                "/events", Set.of("create", "patch"),
                "coordination.k8s.io/leases", Set.of("get", "create", "update"));
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    assertFalse(resource.asText().contains("*") || group.asText().contains("*"), "wildcard: " + rule);
                    String key = group.asText() + "/" + resource.asText();
                    assertTrue(allowed.containsKey(key), "grants more than the controller uses: " + key);
                    for (JsonNode verb : rule.path("verbs")) {
                        assertTrue(allowed.get(key).contains(verb.asText()), key + " verb " + verb);
                    }
                }
            }
        }
    }

    @Test
    void controllerRunsAsNonRootWithAReadOnlyRootFilesystem() throws IOException {
        JsonNode deployment = documents(DIR.resolve("controller.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        JsonNode container = pod.path("containers").get(0);
        assertTrue(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertFalse(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));
    }

    /**
     * Every setting in the controller's ConfigMap is a key the controller reads (as documented in docs/controller.md,
     * where each key of ControllerConfig is listed): an environment name nobody reads is silently ignored, and the
     * ConfigMap once set LATENCY_AUTOSCALER_CLASS where the key is class-name.
     */
    @Test
    void theControllerConfigMapSetsOnlyKeysTheControllerReads() throws IOException {
        String doc = Files.readString(DIR.resolve("..").resolve("docs").resolve("controller.md"));
        java.util.Set<String> documented = new java.util.HashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(latency-autoscaler\\.[a-z.-]+)`").matcher(doc);
        while (m.find()) {
            documented.add(m.group(1).toUpperCase(java.util.Locale.ROOT).replaceAll("[.-]", "_"));
        }
        // "`.namespace-label`" style shorthands in the table are not needed: every key appears in full at least once
        JsonNode configMap = documents(DIR.resolve("controller.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("ConfigMap")).findFirst().orElseThrow();
        java.util.Iterator<String> keys = configMap.path("data").fieldNames();
        assertTrue(keys.hasNext(), "the ConfigMap sets nothing");
        while (keys.hasNext()) {
            String key = keys.next();
            assertTrue(documented.contains(key), key + " is not a documented controller setting: " + documented);
        }
    }
}
