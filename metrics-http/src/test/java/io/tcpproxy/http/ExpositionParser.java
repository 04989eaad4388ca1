package io.tcpproxy.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser for the Prometheus text exposition format 0.0.4, stricter than Prometheus itself where our
 * own output should be: every family has exactly one HELP and one TYPE before its samples, families are
 * contiguous, counters end in _total, no duplicate series, histograms are complete and consistent.
 */
final class ExpositionParser
{
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(Inf|NaN|(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value)
    {
    }

    static final class Family
    {
        final String name;
        String help;
        String type;
        final List<Sample> samples = new ArrayList<>();

        Family(final String name)
        {
            this.name = name;
        }

        double value(final String sampleName, final String... labelPairs)
        {
            final Map<String, String> wanted = new TreeMap<>();
            for (int i = 0; i < labelPairs.length; i += 2)
            {
                wanted.put(labelPairs[i], labelPairs[i + 1]);
            }
            for (final Sample sample : samples)
            {
                if (sample.name.equals(sampleName) && new TreeMap<>(sample.labels).equals(wanted))
                {
                    return sample.value;
                }
            }
            throw new AssertionError("no sample " + sampleName + wanted + " in " + name);
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Set<String> seriesSeen = new HashSet<>();
    private Family current;
    private int lineNumber;

    private ExpositionParser()
    {
    }

    /**
     * @param text the exposition.
     * @return the families by name, in order of appearance.
     * @throws AssertionError naming the line at the first violation.
     */
    static Map<String, Family> parse(final String text)
    {
        final ExpositionParser parser = new ExpositionParser();
        if (!text.endsWith("\n"))
        {
            throw new AssertionError("exposition must end with a line feed");
        }
        final String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        for (final String line : lines)
        {
            parser.lineNumber++;
            parser.line(line);
        }
        for (final Family family : parser.families.values())
        {
            parser.checkFamily(family);
        }
        return parser.families;
    }

    private void line(final String line)
    {
        check(!line.isEmpty(), "empty line");
        check(line.indexOf('\r') < 0, "carriage return");
        if (line.startsWith("# HELP "))
        {
            final String rest = line.substring("# HELP ".length());
            final int space = rest.indexOf(' ');
            check(space > 0, "HELP without text");
            final String name = rest.substring(0, space);
            checkMetricName(name);
            final String help = unescape(rest.substring(space + 1), false);
            check(!help.isBlank(), "blank HELP for " + name);
            final Family family = startFamily(name);
            check(null == family.help, "second HELP for " + name);
            check(null == family.type, "HELP after TYPE for " + name);
            family.help = help;
        }
        else if (line.startsWith("# TYPE "))
        {
            final String[] parts = line.substring("# TYPE ".length()).split(" ", -1);
            check(2 == parts.length, "TYPE must be '# TYPE name type'");
            checkMetricName(parts[0]);
            check(TYPES.contains(parts[1]), "unknown type " + parts[1]);
            final Family family = startFamily(parts[0]);
            check(null == family.type, "second TYPE for " + parts[0]);
            check(family.samples.isEmpty(), "TYPE after samples for " + parts[0]);
            family.type = parts[1];
        }
        else if (line.startsWith("#"))
        {
            throw fail("unexpected comment");
        }
        else
        {
            sample(line);
        }
    }

    private Family startFamily(final String name)
    {
        if (null != current && current.name.equals(name))
        {
            return current;
        }
        check(!families.containsKey(name), "family " + name + " appears in two groups");
        current = new Family(name);
        families.put(name, current);
        return current;
    }

    private void sample(final String line)
    {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ')
        {
            i++;
        }
        final String name = line.substring(0, i);
        checkMetricName(name);

        final Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{')
        {
            i++;
            while (true)
            {
                final int eq = line.indexOf('=', i);
                check(eq > i, "label name expected");
                final String labelName = line.substring(i, eq);
                check(LABEL_NAME.matcher(labelName).matches(), "bad label name " + labelName);
                check(!labelName.startsWith("__"), "reserved label name " + labelName);
                check(eq + 1 < line.length() && line.charAt(eq + 1) == '"', "label value must be quoted");
                final StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (true)
                {
                    check(j < line.length(), "unterminated label value");
                    final char c = line.charAt(j);
                    if (c == '"')
                    {
                        break;
                    }
                    if (c == '\\')
                    {
                        check(j + 1 < line.length(), "dangling escape");
                        final char e = line.charAt(j + 1);
                        if (e == '\\' || e == '"')
                        {
                            value.append(e);
                        }
                        else if (e == 'n')
                        {
                            value.append('\n');
                        }
                        else
                        {
                            throw fail("bad escape \\" + e + " in label value");
                        }
                        j += 2;
                    }
                    else
                    {
                        value.append(c);
                        j++;
                    }
                }
                check(null == labels.put(labelName, value.toString()), "duplicate label " + labelName);
                i = j + 1;
                check(i < line.length(), "unterminated label set");
                if (line.charAt(i) == ',')
                {
                    i++;
                }
                else if (line.charAt(i) == '}')
                {
                    i++;
                    break;
                }
                else
                {
                    throw fail("',' or '}' expected after label value");
                }
            }
        }
        check(i < line.length() && line.charAt(i) == ' ', "single space expected before value");
        final String valueText = line.substring(i + 1);
        check(FLOAT.matcher(valueText).matches(), "bad value '" + valueText + "' (or a timestamp)");
        final double value = parseValue(valueText);

        check(null != current, "sample before any TYPE");
        check(null != current.type, "sample before TYPE of " + current.name);
        check(null != current.help, "sample before HELP of " + current.name);
        final String family = current.name;
        switch (current.type)
        {
            case "histogram":
                check(name.equals(family + "_bucket") || name.equals(family + "_sum") || name.equals(family + "_count"),
                    name + " is not a sample of histogram " + family);
                check(name.endsWith("_bucket") == labels.containsKey("le"), "le only and always on _bucket");
                break;
            case "counter":
                check(name.equals(family), name + " outside its family " + family);
                check(name.endsWith("_total"), "counter " + name + " must end in _total");
                check(value >= 0 || Double.isNaN(value), "negative counter " + name);
                break;
            default:
                check(name.equals(family), name + " outside its family " + family);
                check(!name.endsWith("_total"), "non-counter " + name + " ends in _total");
        }
        check(seriesSeen.add(name + new TreeMap<>(labels)), "duplicate series " + name + labels);
        current.samples.add(new Sample(name, labels, value));
    }

    private void checkFamily(final Family family)
    {
        if (family.help == null || family.type == null)
        {
            throw new AssertionError("family " + family.name + " lacks HELP or TYPE");
        }
        if (!"histogram".equals(family.type))
        {
            return;
        }

        final Map<Map<String, String>, List<Sample>> bucketsBySeries = new HashMap<>();
        final Map<Map<String, String>, Double> counts = new HashMap<>();
        final Map<Map<String, String>, Double> sums = new HashMap<>();
        for (final Sample sample : family.samples)
        {
            final Map<String, String> key = new TreeMap<>(sample.labels);
            key.remove("le");
            if (sample.name.endsWith("_bucket"))
            {
                bucketsBySeries.computeIfAbsent(key, k -> new ArrayList<>()).add(sample);
            }
            else if (sample.name.endsWith("_count"))
            {
                counts.put(key, sample.value);
            }
            else
            {
                sums.put(key, sample.value);
            }
        }
        if (bucketsBySeries.isEmpty())
        {
            throw new AssertionError("histogram " + family.name + " has no buckets");
        }
        for (final Map.Entry<Map<String, String>, List<Sample>> entry : bucketsBySeries.entrySet())
        {
            double previousLe = Double.NEGATIVE_INFINITY;
            double previousCount = 0;
            final List<Sample> buckets = entry.getValue();
            for (final Sample bucket : buckets)
            {
                final String leText = bucket.labels.get("le");
                if (!FLOAT.matcher(leText).matches())
                {
                    throw new AssertionError("bad le " + leText + " in " + family.name);
                }
                final double le = parseValue(leText);
                if (!(le > previousLe))
                {
                    throw new AssertionError("le not ascending in " + family.name + ": " + leText);
                }
                if (bucket.value < previousCount)
                {
                    throw new AssertionError("bucket counts decrease in " + family.name + " at le=" + leText);
                }
                previousLe = le;
                previousCount = bucket.value;
            }
            final Sample last = buckets.get(buckets.size() - 1);
            if (!"+Inf".equals(last.labels.get("le")))
            {
                throw new AssertionError("histogram " + family.name + " lacks the le=\"+Inf\" bucket last");
            }
            final Double count = counts.get(entry.getKey());
            if (null == count || count != last.value)
            {
                throw new AssertionError("+Inf bucket " + last.value + " != _count " + count + " in " + family.name);
            }
            if (!sums.containsKey(entry.getKey()))
            {
                throw new AssertionError("histogram " + family.name + " lacks _sum");
            }
        }
    }

    static double parseValue(final String text)
    {
        switch (text)
        {
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                return Double.parseDouble(text);
        }
    }

    private String unescape(final String text, final boolean allowQuote)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            check(i + 1 < text.length(), "dangling escape");
            final char e = text.charAt(++i);
            if (e == '\\')
            {
                out.append('\\');
            }
            else if (e == 'n')
            {
                out.append('\n');
            }
            else if (e == '"' && allowQuote)
            {
                out.append('"');
            }
            else
            {
                throw fail("bad escape \\" + e);
            }
        }
        return out.toString();
    }

    private void checkMetricName(final String name)
    {
        check(METRIC_NAME.matcher(name).matches(), "bad metric name '" + name + "'");
    }

    private void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw fail(message);
        }
    }

    private AssertionError fail(final String message)
    {
        return new AssertionError("line " + lineNumber + ": " + message);
    }
}
