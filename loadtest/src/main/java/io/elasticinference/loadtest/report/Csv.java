package io.elasticinference.loadtest.report;

/** CSV formatting shared by real and simulated run writers. */
public final class Csv {

    private Csv() {
    }

    /** Fixed-point formatting without String.format, which would dominate writing millions of rows. */
    public static StringBuilder fixed(StringBuilder b, double v, int decimals) {
        if (v < 0) {
            b.append('-');
            v = -v;
        }
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        long units = Math.round(v * scale);
        b.append(units / scale).append('.');
        String frac = Long.toString(units % scale);
        for (int i = frac.length(); i < decimals; i++) {
            b.append('0');
        }
        return b.append(frac);
    }

    /** A field quoted when it holds a comma, quote or line break. */
    public static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"").replace('\n', ' ').replace('\r', ' ') + '"';
    }
}
