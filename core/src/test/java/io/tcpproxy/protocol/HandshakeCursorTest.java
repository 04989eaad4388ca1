package io.tcpproxy.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HandshakeCursorTest
{
    @Test
    void shouldReadAcrossRecordHeadersAsOneStream()
    {
        // Two records, fragments [1, 2, 3] and [4, 5], after two bytes that are not the cursor's.
        final ByteBuffer b = ByteBuffer.wrap(new byte[]{
            9, 9,
            22, 3, 1, 0, 3, 1, 2, 3,
            22, 3, 1, 0, 2, 4, 5});
        final HandshakeCursor cursor = new HandshakeCursor();

        cursor.start(b, 2);

        assertEquals(1, cursor.nextByte());
        assertEquals(0x0203, cursor.uint16());
        assertEquals(4, cursor.nextByte());
        assertEquals(5, cursor.nextByte());
    }

    @Test
    void shouldSkipAcrossRecordHeaders()
    {
        final ByteBuffer b = ByteBuffer.wrap(new byte[]{
            22, 3, 3, 0, 2, 1, 2,
            22, 3, 3, 0, 1, 3,
            22, 3, 3, 0, 2, (byte)0xFF, 4});
        final HandshakeCursor cursor = new HandshakeCursor();

        cursor.start(b, 0);
        cursor.skip(3);

        assertEquals(0xFF, cursor.nextByte());
        assertEquals(4, cursor.nextByte());
    }
}
