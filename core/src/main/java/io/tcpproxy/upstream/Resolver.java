package io.tcpproxy.upstream;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name into its addresses (A and AAAA). Called only at pool creation and on the health agent's thread.
 */
@FunctionalInterface
public interface Resolver
{
    /** The system resolver. */
    Resolver SYSTEM = InetAddress::getAllByName;

    /**
     * @param host a name or a literal IP.
     * @return at least one address.
     * @throws UnknownHostException when the name does not resolve.
     */
    InetAddress[] resolve(String host) throws UnknownHostException;
}
