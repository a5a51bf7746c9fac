package io.elasticinference.knative;

import com.fasterxml.jackson.databind.JsonNode;
import io.elasticinference.autoscaler.controller.apiserver.RealApiServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core resources of knative/ (Namespace, ServiceAccount, RBAC, ConfigMap, Deployment) are accepted by a real
 * kube-apiserver with a server-side dry run: schema, defaults and validation as a cluster would apply them. The
 * Knative Services and the PodMonitor need CRDs a bare API server does not have, and are checked by ManifestsTest.
 */
class ServerSideDryRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** kind -> API path prefix, and whether it is namespaced. */
    private static final Map<String, String[]> PATHS = Map.of(
            "Namespace", new String[]{"/api/v1", "namespaces", "false"},
            "ServiceAccount", new String[]{"/api/v1", "serviceaccounts", "true"},
            "ConfigMap", new String[]{"/api/v1", "configmaps", "true"},
            "Deployment", new String[]{"/apis/apps/v1", "deployments", "true"},
            "ClusterRole", new String[]{"/apis/rbac.authorization.k8s.io/v1", "clusterroles", "false"},
            "ClusterRoleBinding", new String[]{"/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", "false"});

    @Test
    void coreResourcesPassAServerSideDryRun(@TempDir Path tmp) throws Exception {
        List<JsonNode> docs = new ArrayList<>(ManifestsTest.documents(Path.of("controller.yaml").toAbsolutePath()));
        try (RealApiServer api = RealApiServer.start(tmp)) {
            int checked = 0;
            for (JsonNode doc : docs) {
                String kind = doc.path("kind").asText();
                String[] path = PATHS.get(kind);
                assertTrue(path != null, "no API path for " + kind + ": extend the test");
                String ns = doc.path("metadata").path("namespace").asText("default");
                String collection = path[0] + ("true".equals(path[2]) ? "/namespaces/" + ns : "") + "/" + path[1];
                boolean namespace = kind.equals("Namespace");
                // Namespaced objects need their namespace to exist: create it for real, dry-run the rest.
                HttpResponse<String> r = api.http.send(api.request(collection + (namespace ? "" : "?dryRun=All"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(doc))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(r.statusCode() == 201 || r.statusCode() == 200,
                        kind + " " + doc.path("metadata").path("name").asText() + " rejected: " + r.statusCode()
                                + " " + r.body());
                checked++;
            }
            assertTrue(checked >= 6, "checked " + checked);
        }
    }
}
