package io.elasticinference.loadtest.simulation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Where a request's service time comes from: the seconds it takes when it has the pod to itself. Under load the
 * simulator stretches it by processor sharing; this is the unloaded figure.
 */
public sealed interface ServiceTimes {

    double sample(SplittableRandom rng);

    double mean();

    /** A short description for run.json. */
    String describe();

    /** Classpath resource with the default measured-like distribution (see the file's header). */
    String DEFAULT_RESOURCE = "/simulation/service-times-resnet18-onnx-2cpu.txt";

    /** Lognormal with the given mean and coefficient of variation: the usual shape of inference service times. */
    record Lognormal(double mean, double cv) implements ServiceTimes {
        public Lognormal {
            if (!(mean > 0) || !(cv >= 0)) {
                throw new IllegalArgumentException("lognormal needs mean > 0 and cv >= 0, got " + mean + ", " + cv);
            }
        }

        @Override
        public double sample(SplittableRandom rng) {
            double s2 = Math.log(1 + cv * cv);
            double mu = Math.log(mean) - s2 / 2;
            return Math.exp(mu + Math.sqrt(s2) * gaussian(rng));
        }

        @Override
        public String describe() {
            return "lognormal(mean=" + mean + "s, cv=" + cv + ")";
        }
    }

    /** Exponential: makes the single-pod model an M/M/1 queue, which the tests check against theory. */
    record Exponential(double mean) implements ServiceTimes {
        public Exponential {
            if (!(mean > 0)) {
                throw new IllegalArgumentException("exponential needs mean > 0, got " + mean);
            }
        }

        @Override
        public double sample(SplittableRandom rng) {
            return -mean * Math.log(1 - rng.nextDouble());
        }

        @Override
        public String describe() {
            return "exponential(mean=" + mean + "s)";
        }
    }

    record Constant(double mean) implements ServiceTimes {
        public Constant {
            if (!(mean > 0)) {
                throw new IllegalArgumentException("constant service time must be > 0, got " + mean);
            }
        }

        @Override
        public double sample(SplittableRandom rng) {
            return mean;
        }

        @Override
        public String describe() {
            return "constant(" + mean + "s)";
        }
    }

    /** Resamples measured service times (one number of seconds per line, '#' comments allowed). */
    record Empirical(double[] values, double mean, String source) implements ServiceTimes {
        @Override
        public double sample(SplittableRandom rng) {
            return values[rng.nextInt(values.length)];
        }

        @Override
        public String describe() {
            return "empirical(" + source + ", n=" + values.length + ", mean=" + String.format("%.4f", mean) + "s)";
        }

        public static Empirical read(InputStream in, String source) throws IOException {
            double[] v = new double[256];
            int n = 0;
            int lineNo = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lineNo++;
                    String s = line.strip();
                    if (s.isEmpty() || s.startsWith("#")) {
                        continue;
                    }
                    double x;
                    try {
                        x = Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(source + ":" + lineNo + ": not a number of seconds: '"
                                + abbreviate(s) + "'");
                    }
                    if (!(x > 0) || Double.isInfinite(x)) {
                        throw new IllegalArgumentException(source + ":" + lineNo + ": service time must be > 0 s, got "
                                + s);
                    }
                    if (n == v.length) {
                        v = Arrays.copyOf(v, n * 2);
                    }
                    v[n++] = x;
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException(source + ": no service times in the file");
            }
            v = Arrays.copyOf(v, n);
            double sum = 0;
            for (double x : v) {
                sum += x;
            }
            return new Empirical(v, sum / n, source);
        }

        private static String abbreviate(String s) {
            return s.length() > 40 ? s.substring(0, 40) + "..." : s;
        }
    }

    /**
     * Parses a specification: {@code default} (the bundled measured-like file), {@code lognormal:MEAN[:CV]},
     * {@code exponential:MEAN}, {@code constant:MEAN}, or a path to a file of measured service times.
     * Means are in seconds.
     */
    static ServiceTimes parse(String spec) throws IOException {
        String s = spec.strip();
        String[] parts = s.split(":");
        try {
            switch (parts[0].toLowerCase()) {
                case "default":
                    return defaultDistribution();
                case "lognormal":
                    return new Lognormal(Double.parseDouble(parts[1]), parts.length > 2 ? Double.parseDouble(parts[2])
                            : 0.25);
                case "exponential":
                    return new Exponential(Double.parseDouble(parts[1]));
                case "constant":
                    return new Constant(Double.parseDouble(parts[1]));
                default:
                    break;
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("bad service-time specification '" + spec
                    + "': expected lognormal:MEAN[:CV], exponential:MEAN, constant:MEAN, default or a file");
        }
        Path p = Path.of(s);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("service times: no such file '" + s
                    + "' (or use lognormal:MEAN[:CV], exponential:MEAN, constant:MEAN, default)");
        }
        try (InputStream in = Files.newInputStream(p)) {
            return Empirical.read(in, p.getFileName().toString());
        }
    }

    static Empirical defaultDistribution() throws IOException {
        try (InputStream in = ServiceTimes.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            }
            return Empirical.read(in, "default:" + DEFAULT_RESOURCE.substring(DEFAULT_RESOURCE.lastIndexOf('/') + 1));
        }
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
