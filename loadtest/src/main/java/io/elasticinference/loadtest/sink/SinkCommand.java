package io.elasticinference.loadtest.sink;

import io.elasticinference.loadtest.workload.SecondsConverter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code loadtest sink}: an HTTP server that answers every request with 200 after a fixed delay. It measures the
 * load generator itself (how many requests per second this machine can offer, with what send lag) and checks the
 * tester against a server whose latency is known.
 */
@Command(name = "sink", mixinStandardHelpOptions = true,
        description = "Answer every request with 200 {} after --delay: a target for measuring the load generator.")
public final class SinkCommand implements Runnable {

    @Option(names = "--port", defaultValue = "8099", description = "Port to listen on (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--delay", converter = SecondsConverter.class,
            description = "Time before each answer, e.g. 100ms (default: answer at once).")
    Double delayS;

    @Option(names = "--for", converter = SecondsConverter.class,
            description = "Stop after this long, e.g. 5m (default: until interrupted).")
    Double forS;

    @Override
    public void run() {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        AtomicLong answered = new AtomicLong();
        long delayMs = delayS == null ? 0 : Math.round(delayS * 1000);
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onComplete(ignored -> {
            Runnable answer = () -> {
                answered.incrementAndGet();
                request.response().putHeader("Content-Type", "application/json").putHeader("X-Served-By", "sink")
                        .end("{}");
            };
            if (delayMs > 0) {
                vertx.setTimer(delayMs, t -> answer.run());
            } else {
                answer.run();
            }
        }));
        try {
            server.listen(port, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        System.out.printf(Locale.ROOT, "sink: answering on http://%s:%d/ after %.0f ms%n", host, server.actualPort(),
                delayMs * 1.0);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        try {
            if (forS != null) {
                stop.await(Math.round(forS * 1000), TimeUnit.MILLISECONDS);
            } else {
                stop.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.printf(Locale.ROOT, "sink: answered %d requests%n", answered.get());
        vertx.close();
    }
}
