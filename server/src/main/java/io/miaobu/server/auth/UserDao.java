package io.miaobu.server.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(User.class)
public interface UserDao {

    @SqlUpdate("INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)")
    @GetGeneratedKeys("id")
    long insert(String username, String passwordHash, Role role, Instant createdAt);

    @SqlQuery("SELECT * FROM users WHERE id = ?")
    Optional<User> findById(long id);

    @SqlQuery("SELECT * FROM users WHERE username = ?")
    Optional<User> findByUsername(String username);

    @SqlQuery("SELECT count(*) FROM users")
    long count();

    @SqlQuery("SELECT * FROM users ORDER BY username")
    List<User> list();
}
