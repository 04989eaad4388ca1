package io.tcpproxy.bench.soak;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakVerdictTest
{
    private static final long MB = 1_000_000;
    private static final SoakSample IDLE = new SoakSample(0, 300 * MB, 15, 0, 10, 1_000, 900);
    private static final List<SoakSample> DURING = List.of(
        new SoakSample(1, 320 * MB, 60, 24, 100, 5_000, 4_000),
        new SoakSample(2, 330 * MB, 60, 24, 200, 9_000, 8_000),
        new SoakSample(3, 340 * MB, 60, 24, 300, 12_000, 11_000));

    @Test
    void shouldPassWhenTotalsAreExactAndNothingGrew()
    {
        final SoakSample end = new SoakSample(4, 340 * MB, 15, 0, 310, 13_000, 12_900);

        assertEquals(List.of(), SoakVerdict.failures(IDLE, DURING, end, 12_000, 12_000, 300));
    }

    @Test
    void shouldFailOnAByteOrConnectionMismatch()
    {
        final SoakSample end = new SoakSample(4, 340 * MB, 15, 0, 309, 12_999, 12_900);

        final List<String> failures = SoakVerdict.failures(IDLE, DURING, end, 12_000, 12_000, 300);

        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("bytes_upstream grew by 11999 but the clients sent 12000"), failures.get(0));
        assertTrue(failures.get(1).contains("total_connections grew by 299 but the clients opened 300"), failures.get(1));
    }

    @Test
    void shouldFailOnLeftoverConnectionsDescriptorsAndRssGrowth()
    {
        final long warm = 320 * MB;
        final long tooMuch = warm + SoakVerdict.RSS_SLACK_BYTES + warm / 10 + 1;
        final SoakSample end = new SoakSample(4, tooMuch, 18, 1, 310, 13_000, 12_900);

        final List<String> failures = SoakVerdict.failures(IDLE, DURING, end, 12_000, 12_000, 300);

        assertEquals(3, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("active_connections is 1"), failures.get(0));
        assertTrue(failures.get(1).startsWith("open descriptors grew from 15 (idle) to 18"), failures.get(1));
        assertTrue(failures.get(2).startsWith("RSS grew from 320.0 MB (warm)"), failures.get(2));
    }
}
