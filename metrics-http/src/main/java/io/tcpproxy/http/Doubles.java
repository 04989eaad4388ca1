package io.tcpproxy.http;

import java.math.BigDecimal;

/**
 * Formats doubles the way Prometheus client libraries do: {@code +Inf}, {@code -Inf}, {@code NaN}, whole numbers
 * without a fraction, otherwise the shortest decimal that reads back as the same double.
 */
final class Doubles
{
    private static final double MAX_EXACT_WHOLE = 1e15;

    private Doubles()
    {
    }

    static void append(final StringBuilder out, final double value)
    {
        if (Double.isNaN(value))
        {
            out.append("NaN");
        }
        else if (value == Double.POSITIVE_INFINITY)
        {
            out.append("+Inf");
        }
        else if (value == Double.NEGATIVE_INFINITY)
        {
            out.append("-Inf");
        }
        else if (value == Math.rint(value) && Math.abs(value) < MAX_EXACT_WHOLE)
        {
            out.append((long)value);
        }
        else
        {
            appendDecimal(out, value);
        }
    }

    private static void appendDecimal(final StringBuilder out, final double value)
    {
        // Double.toString gives digits that round-trip; BigDecimal turns its "1.0E-4" form into plain digits.
        final BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        final int exponent = decimal.precision() - decimal.scale() - 1;
        if (exponent >= -4 && exponent < 21)
        {
            out.append(decimal.toPlainString());
            return;
        }

        final String digits = decimal.unscaledValue().abs().toString();
        if (decimal.signum() < 0)
        {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1)
        {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        final int magnitude = Math.abs(exponent);
        if (magnitude < 10)
        {
            out.append('0');
        }
        out.append(magnitude);
    }
}
