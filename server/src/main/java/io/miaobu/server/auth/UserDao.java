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

    @SqlUpdate("INSERT INTO users (username, password_hash, role, created_at, password_changed_at)"
            + " VALUES (?, ?, ?, ?, ?)")
    @GetGeneratedKeys("id")
    long insert(String username, String passwordHash, Role role, Instant createdAt, Instant passwordChangedAt);

    @SqlQuery("SELECT * FROM users WHERE id = ?")
    Optional<User> findById(long id);

    @SqlQuery("SELECT * FROM users WHERE username = ?")
    Optional<User> findByUsername(String username);

    @SqlQuery("SELECT count(*) FROM users")
    long count();

    @SqlQuery("SELECT count(*) FROM users WHERE role = 'ADMIN'")
    long countAdmins();

    @SqlQuery("SELECT * FROM users ORDER BY username")
    List<User> list();

    @SqlUpdate("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?")
    int updatePassword(String passwordHash, Instant changedAt, long id);

    @SqlUpdate("UPDATE users SET role = ? WHERE id = ?")
    int updateRole(Role role, long id);

    @SqlUpdate("UPDATE users SET failed_sign_ins = ?, lock_count = ?, locked_until = ? WHERE id = ?")
    int updateLock(int failedSignIns, int lockCount, Instant lockedUntil, long id);

    @SqlUpdate("DELETE FROM users WHERE id = ?")
    int delete(long id);
}
