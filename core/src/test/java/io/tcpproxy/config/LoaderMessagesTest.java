package io.tcpproxy.config;

import org.junit.jupiter.api.Test;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoaderMessagesTest
{
    @Test
    void shouldNameEveryKindOfTomlValueInMessages()
    {
        assertEquals("nothing", LoaderMessages.describe(null));
        assertEquals("the string \"abc\"", LoaderMessages.describe("abc"));
        assertEquals("the integer 5", LoaderMessages.describe(5L));
        assertEquals("the float 1.5", LoaderMessages.describe(1.5));
        assertEquals("the boolean true", LoaderMessages.describe(true));
        assertEquals("the date 2026-01-02", LoaderMessages.describe(LocalDate.of(2026, 1, 2)));
        assertEquals("the time 03:04", LoaderMessages.describe(LocalTime.of(3, 4)));
        assertEquals("the date-time 2026-01-02T03:04", LoaderMessages.describe(LocalDateTime.of(2026, 1, 2, 3, 4)));
        assertEquals("the date-time 2026-01-02T03:04Z",
            LoaderMessages.describe(OffsetDateTime.of(2026, 1, 2, 3, 4, 0, 0, ZoneOffset.UTC)));
        assertEquals("a value of type Object", LoaderMessages.describe(new Object()));
    }

    @Test
    void shouldNameTomlArraysAndTablesWithoutTheirContents()
    {
        final TomlParseResult toml = Toml.parse("a = [1, 2]\n[t]\nk = 1\n");

        assertEquals("an array", LoaderMessages.describe(toml.get("a")));
        assertEquals("a table", LoaderMessages.describe(toml.get("t")));
    }
}
