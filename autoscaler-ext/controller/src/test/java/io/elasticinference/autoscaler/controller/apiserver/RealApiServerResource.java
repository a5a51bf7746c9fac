package io.elasticinference.autoscaler.controller.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a real etcd + kube-apiserver before the controller boots, installs our PodAutoscaler and ServerlessService
 * CRDs, and points the Kubernetes client at it.
 */
public class RealApiServerResource implements QuarkusTestResourceLifecycleManager {

    static RealApiServer server;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("apiserver");
            server = RealApiServer.start(dir);
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
            ObjectMapper json = new ObjectMapper();
            for (String crd : new String[]{"podautoscalers", "serverlessservices"}) {
                try (InputStream in = getClass().getResourceAsStream("/crds/" + crd + ".yaml")) {
                    String body = json.writeValueAsString(yaml.readTree(in));
                    HttpResponse<String> r = server.http.send(server.request(
                                    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 201) {
                        throw new IllegalStateException("CRD " + crd + ": " + r.statusCode() + " " + r.body());
                    }
                }
            }
            Thread.sleep(2000); // let the API server start serving the new resources
            return Map.of("quarkus.kubernetes-client.api-server-url", server.url,
                    "quarkus.kubernetes-client.token", RealApiServer.TOKEN,
                    "quarkus.kubernetes-client.trust-certs", "true",
                    "quarkus.kubernetes-client.namespace", "default",
                    "quarkus.kubernetes-client.devservices.enabled", "false");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
