package io.tcpproxy.upstream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthStateTest
{
    @Test
    void shouldStartUpAndGoDownAfterFallFailuresInARow()
    {
        final HealthState state = new HealthState(2, 3);
        assertTrue(state.up());
        assertFalse(state.record(false));
        assertFalse(state.record(false));
        assertFalse(state.record(true), "a success breaks the run");
        assertFalse(state.record(false));
        assertFalse(state.record(false));
        assertTrue(state.record(false), "third failure in a row");
        assertFalse(state.up());
        assertEquals(3, state.failuresInARow());
        assertFalse(state.record(false), "already down: no second transition");
    }

    @Test
    void shouldComeBackUpAfterRiseSuccessesInARow()
    {
        final HealthState state = new HealthState(2, 1);
        assertTrue(state.record(false));
        assertFalse(state.record(true));
        assertFalse(state.record(false), "a failure breaks the run");
        assertFalse(state.record(true));
        assertTrue(state.record(true));
        assertTrue(state.up());
        assertEquals(2, state.successesInARow());
        assertFalse(state.record(true));
    }
}
