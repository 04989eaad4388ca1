package io.tcpproxy.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoolNameTest
{
    @Test
    void shouldAcceptLettersDigitsAndThreeMarks()
    {
        assertEquals("api-v2.blue_1", PoolName.check("api-v2.blue_1"));
        assertEquals("api", PoolName.type(false).parse("api"));
        assertEquals("", PoolName.type(true).parse(""));
    }

    @Test
    void shouldRejectOtherNamesSayingWhatWasExpected()
    {
        assertEquals("expected a pool name of 1 to 64 letters, digits, '_', '-' or '.', got \"a b\"",
            assertThrows(IllegalArgumentException.class, () -> PoolName.check("a b")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PoolName.check(null));
        assertThrows(IllegalArgumentException.class, () -> PoolName.check("x".repeat(65)));
        assertEquals("expected a pool name (letters, digits, '_', '-', '.'), got \"\"",
            assertThrows(IllegalArgumentException.class, () -> PoolName.type(false).parse("")).getMessage());
    }
}
