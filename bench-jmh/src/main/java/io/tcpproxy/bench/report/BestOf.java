package io.tcpproxy.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The "proxy / best" ratio columns: the proxy against the better of HAProxy and nginx measured in the same run, so
 * that one column says whether it beats both.
 */
public final class BestOf
{
    /** The target the ratios are about. */
    public static final String SUBJECT = "proxy";
    /** The targets it is compared with, named as {@code --with-haproxy} and {@code --with-nginx} name them. */
    public static final List<String> RIVALS = List.of("haproxy", "nginx");

    private BestOf()
    {
    }

    /**
     * @param targets the measured targets.
     * @return the names of the rivals among them, in target order; empty when the subject is not among them.
     */
    public static List<String> rivals(final List<Target> targets)
    {
        final List<String> rivals = new ArrayList<>();
        boolean subject = false;
        for (final Target target : targets)
        {
            subject |= SUBJECT.equals(target.name());
            if (RIVALS.contains(target.name()))
            {
                rivals.add(target.name());
            }
        }
        return subject ? rivals : List.of();
    }

    /**
     * @param rivals names from {@link #rivals(List)}.
     * @param figure a figure of a target by name, NaN when it was not measured.
     * @return the highest figure of the rivals, NaN when none was measured.
     */
    public static double highest(final List<String> rivals, final ToDoubleFunction<String> figure)
    {
        return best(rivals, figure, 1);
    }

    /**
     * @param rivals names from {@link #rivals(List)}.
     * @param figure a figure of a target by name, NaN when it was not measured.
     * @return the lowest figure of the rivals, NaN when none was measured.
     */
    public static double lowest(final List<String> rivals, final ToDoubleFunction<String> figure)
    {
        return best(rivals, figure, -1);
    }

    /**
     * @param rivals names from {@link #rivals(List)}.
     * @param pick   which one counts, e.g. {@code higher}.
     * @return e.g. {@code the higher of haproxy's and nginx's}, or {@code haproxy's} when there is one, for legends.
     */
    public static String phrase(final List<String> rivals, final String pick)
    {
        return (rivals.size() > 1 ? "the " + pick + " of " : "") + String.join("'s and ", rivals) + "'s";
    }

    private static double best(final List<String> rivals, final ToDoubleFunction<String> figure, final int sign)
    {
        double best = Double.NaN;
        for (final String rival : rivals)
        {
            final double value = figure.applyAsDouble(rival);
            if (!Double.isNaN(value) && (Double.isNaN(best) || sign * value > sign * best))
            {
                best = value;
            }
        }
        return best;
    }
}
