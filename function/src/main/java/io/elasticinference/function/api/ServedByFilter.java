package io.elasticinference.function.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Names the pod that served each response ({@code X-Served-By}, the pod's host name), so the load tester can record
 * which replica answered.
 */
public class ServedByFilter {

    private static final String HOST = hostName();

    @ServerResponseFilter
    public void servedBy(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle("X-Served-By", HOST);
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
