package io.elasticinference.loadtest.workload;

import picocli.CommandLine;

/** "0.33s", "330ms", "2m" or a bare number of seconds, for --slo and --timeout. */
public final class SecondsConverter implements CommandLine.ITypeConverter<Double> {

    @Override
    public Double convert(String value) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        double factor = 1;
        if (v.endsWith("ms")) {
            factor = 0.001;
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            v = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            factor = 60;
            v = v.substring(0, v.length() - 1);
        }
        try {
            double d = Double.parseDouble(v.strip()) * factor;
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new CommandLine.TypeConversionException("must be a positive duration: '" + value + "'");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (e.g. 0.33s, 330ms, 2m)");
        }
    }
}
