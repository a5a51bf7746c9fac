package io.elasticinference.autoscaler.controller.apiserver;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd and kube-apiserver (1.20, built from Debian's source package by
 * autoscaler-ext/controller/scripts/build-kube-apiserver.sh) on loopback, for the duration of a test: HTTPS with the
 * certificate the server makes for itself (trusted blindly: loopback, test only), a static bearer token, and
 * AlwaysAllow authorization.
 */
public final class RealApiServer implements AutoCloseable {

    public static final String TOKEN = "elastic-inference-test-token";

    static {
        // The server's self-made certificate names no host we can check against.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    private final Process etcd;
    private final Process apiserver;
    public final String url;
    public final HttpClient http;

    private RealApiServer(Process etcd, Process apiserver, String url) throws Exception {
        this.etcd = etcd;
        this.apiserver = apiserver;
        this.url = url;
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, new javax.net.ssl.TrustManager[]{new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, new java.security.SecureRandom());
        this.http = HttpClient.newBuilder().sslContext(tls).build();
    }

    /** A request to the API server with the test's token. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(10));
    }

    public static Path binary() {
        String env = System.getenv("KUBE_APISERVER");
        Path p = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "elastic-inference",
                "kube-apiserver", "kube-apiserver");
        if (!Files.isExecutable(p) || !Files.isExecutable(Path.of("/usr/bin/etcd"))) {
            String message = "kube-apiserver (" + p + ") or etcd missing: run "
                    + "autoscaler-ext/controller/scripts/build-kube-apiserver.sh";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message + " (required under CI=true)");
            }
            Assumptions.abort(message);
        }
        return p;
    }

    public static RealApiServer start(Path dir) throws Exception {
        Path bin = binary();
        int etcdClient = freePort();
        int etcdPeer = freePort();
        int secure = freePort();
        Process etcd = new ProcessBuilder("/usr/bin/etcd", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + etcdClient,
                "--advertise-client-urls", "http://127.0.0.1:" + etcdClient,
                "--listen-peer-urls", "http://127.0.0.1:" + etcdPeer)
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        Path key = dir.resolve("sa.key");
        Path pub = dir.resolve("sa.pub");
        run("openssl", "genrsa", "-out", key.toString(), "2048");
        run("openssl", "rsa", "-in", key.toString(), "-pubout", "-out", pub.toString());
        Path tokens = dir.resolve("tokens.csv");
        Files.writeString(tokens, TOKEN + ",admin,admin,\"system:masters\"\n");
        Process api = new ProcessBuilder(bin.toString(),
                "--etcd-servers=http://127.0.0.1:" + etcdClient,
                "--token-auth-file=" + tokens, "--secure-port=" + secure, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
                "--cert-dir=" + dir.resolve("certs"),
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file=" + pub, "--service-account-signing-key-file=" + key,
                "--service-cluster-ip-range=10.96.0.0/16", "--authorization-mode=AlwaysAllow")
                .redirectErrorStream(true).redirectOutput(dir.resolve("apiserver.log").toFile()).start();
        RealApiServer server = new RealApiServer(etcd, api, "https://127.0.0.1:" + secure);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                HttpResponse<String> r = server.http.send(server.request("/readyz").build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return server;
                }
            } catch (IOException e) {
                // still starting
            }
            if (System.nanoTime() > deadline || !api.isAlive()) {
                server.close();
                throw new AssertionError("kube-apiserver did not become ready:\n"
                        + Files.readString(dir.resolve("apiserver.log")));
            }
            Thread.sleep(250);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        apiserver.destroy();
        apiserver.waitFor(20, TimeUnit.SECONDS);
        etcd.destroy();
        etcd.waitFor(20, TimeUnit.SECONDS);
    }
}
