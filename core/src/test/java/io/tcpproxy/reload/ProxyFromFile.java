package io.tcpproxy.reload;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.testsupport.ClientSockets;
import io.tcpproxy.testsupport.ConsoleBuffer;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A proxy started from a TOML file the test rewrites before each reload, its console kept in memory, and the client
 * sockets opened to it; {@link #close()} closes the clients, then the proxy.
 */
final class ProxyFromFile implements AutoCloseable
{
    final ConsoleBuffer console = new ConsoleBuffer();
    final ClientSockets clients = new ClientSockets();
    private final Path file;
    private Proxy proxy;

    ProxyFromFile(final Path dir)
    {
        this.file = dir.resolve("proxy.toml");
    }

    Path file()
    {
        return file;
    }

    void write(final String toml) throws IOException
    {
        Files.writeString(file, toml);
    }

    /**
     * @param toml the file's first content.
     * @return the proxy started from it.
     * @throws IOException when the file cannot be written or read.
     */
    Proxy start(final String toml) throws IOException
    {
        write(toml);
        return start(Config.fromFile(file));
    }

    /**
     * @param config settings built in code (a reload without a file then has nothing to read).
     * @return the proxy started with them.
     * @throws IOException if it cannot bind.
     */
    Proxy start(final Config config) throws IOException
    {
        proxy = Proxy.start(config, console.stream());
        return proxy;
    }

    /**
     * @return a new client connected to the proxy's listen address.
     * @throws IOException when it cannot connect.
     */
    Socket connect() throws IOException
    {
        return clients.connect(proxy.localAddress());
    }

    @Override
    public void close() throws IOException
    {
        clients.close();
        if (proxy != null)
        {
            proxy.close();
        }
    }
}
