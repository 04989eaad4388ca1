package io.tcpproxy.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SpellingTest
{
    @Test
    void shouldSuggestTheNearestCloseName()
    {
        final List<String> names = List.of("workers", "buffer_size", "idle_timeout_secs");

        assertEquals("workers", Spelling.nearest("worker", names));
        assertEquals("idle_timeout_secs", Spelling.nearest("Idle-Timeout-Sec", names));
        assertNull(Spelling.nearest("completely_different_thing", names));
        assertNull(Spelling.nearest("x", List.of()));
    }

    @Test
    void shouldCountEditsBetweenTwoNames()
    {
        assertEquals(0, Spelling.editDistance("rise", "rise"));
        assertEquals(1, Spelling.editDistance("rise", "rose"));
        assertEquals(1, Spelling.editDistance("rise", "rised"));
        assertEquals(4, Spelling.editDistance("", "fall"));
    }
}
