package io.tcpproxy.config;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigValuesTest
{
    @Test
    void shouldCopyEveryFieldAndNotShareTheMutableCollections() throws IllegalAccessException
    {
        final ConfigValues values = new ConfigValues();
        ConfigKey.WORKERS.setIn(values, 3);
        ConfigKey.TARGET_ADDR.setIn(values, "10.0.0.1:80");
        ConfigKey.ALLOW.setIn(values, List.of("10.0.0.0/8"));
        values.upstreams.add(Upstream.builder().addr("10.0.0.2:80").build());
        values.lines.put("workers", 4);
        values.sourceName = "proxy.toml";
        values.sourcePath = Path.of("proxy.toml");

        final ConfigValues copy = values.copy();

        for (final Field field : ConfigValues.class.getDeclaredFields())
        {
            if (Modifier.isStatic(field.getModifiers()))
            {
                continue;
            }
            final Object original = field.get(values);
            final Object copied = field.get(copy);
            assertEquals(original, copied, field.getName());
        }
        assertNotSame(values.upstreams, copy.upstreams);
        assertNotSame(values.routes, copy.routes);
        assertNotSame(values.poolSettings, copy.poolSettings);
        assertNotSame(values.lines, copy.lines);
        assertTrue(copy.targetSet);
    }

    @Test
    void shouldLeaveTheOriginalAloneWhenTheCopyChanges()
    {
        final ConfigValues values = new ConfigValues();
        final ConfigValues copy = values.copy();

        copy.upstreams.add(Upstream.builder().addr("10.0.0.2:80").build());
        copy.routes.add(Route.builder().sni(List.of("a.example")).pool("default").build());
        copy.poolSettings.put("p", PoolSettings.builder("p").build());
        copy.lines.put("workers", 1);
        copy.workers = 7;

        assertTrue(values.upstreams.isEmpty());
        assertTrue(values.routes.isEmpty());
        assertTrue(values.poolSettings.isEmpty());
        assertFalse(values.lines.containsKey("workers"));
        assertEquals(0, values.workers);
        assertNotSame(values.lines, copy.lines);
    }

    @Test
    void shouldNameTheFileAndLineInErrors()
    {
        final ConfigValues values = new ConfigValues();
        values.sourceName = "proxy.toml";
        values.lines.put("route#0.pool", 12);

        assertEquals("proxy.toml:12: route.pool: no", values.error("route#0.pool", "route.pool", "no").getMessage());
        assertEquals("proxy.toml: workers: no", values.error("workers", "workers", "no").getMessage());
        values.sourceName = null;
        assertEquals("workers: no", values.error("workers", "workers", "no").getMessage());
    }
}
