package io.miaobu.server.domain;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * An authoritative DNS server on 127.0.0.1 (UDP, a free port) answering from records the test sets: what the domain
 * checks ask through {@code dns.resolvers}. Answers NXDOMAIN for unknown names and NODATA for known names without the
 * asked type, with an SOA as real servers do.
 */
public final class TestDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final List<Record> records = new CopyOnWriteArrayList<>();
    private final Thread thread;

    public TestDnsServer() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "test-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** For {@code dns.resolvers}. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public TestDnsServer txt(String name, String value) {
        records.add(new TXTRecord(name(name), DClass.IN, 60, value));
        return this;
    }

    public TestDnsServer cname(String name, String target) {
        records.add(new CNAMERecord(name(name), DClass.IN, 60, name(target)));
        return this;
    }

    public TestDnsServer a(String name, String address) throws IOException {
        InetAddress ip = InetAddress.getByName(address);
        records.add(ip.getAddress().length == 4 ? new ARecord(name(name), DClass.IN, 60, ip)
                : new AAAARecord(name(name), DClass.IN, 60, ip));
        return this;
    }

    /** Removes every record of {@code name}. */
    public TestDnsServer clear(String name) {
        Name owner = name(name);
        records.removeIf(r -> r.getName().equals(owner));
        return this;
    }

    private static Name name(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                var packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] answer = answer(new Message(Arrays.copyOf(packet.getData(), packet.getLength())));
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(Message query) throws IOException {
        Record question = query.getQuestion();
        var response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(question, Section.QUESTION);
        boolean nameKnown = false;
        for (Record record : records) {
            if (record.getName().equals(question.getName())) {
                nameKnown = true;
                if (record.getType() == question.getType()) {
                    response.addRecord(record, Section.ANSWER);
                }
            }
        }
        if (response.getSection(Section.ANSWER).isEmpty()) {
            if (!nameKnown) {
                response.getHeader().setRcode(Rcode.NXDOMAIN);
            }
            response.addRecord(new SOARecord(Name.root, DClass.IN, 60, name("ns.test"), name("admin.test"), 1, 60, 60,
                    60, 60), Section.AUTHORITY);
        }
        return response.toWire();
    }

    @Override
    public void close() {
        socket.close();
    }
}
