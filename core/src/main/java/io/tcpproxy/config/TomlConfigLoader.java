package io.tcpproxy.config;

import io.tcpproxy.Config;

import java.nio.file.Path;

/**
 * PLACEHOLDER: reads proxy.toml into a {@link Config.Builder}.
 */
public final class TomlConfigLoader
{
    private TomlConfigLoader()
    {
    }

    /**
     * @param path the file.
     * @return a builder with the file's values over the defaults.
     */
    public static Config.Builder load(final Path path)
    {
        throw new UnsupportedOperationException("not written yet: " + path);
    }
}
