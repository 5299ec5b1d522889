//! The fixed texts of this context, in both languages.

crate::texts::texts! {
    SIGN_IN_WITH_YOUR_NIK = "Masuk dengan NIK"
        / "Sign in with your NIK";
    WE_SEND_A_6_DIGIT = "Kami kirim kode 6 angka ke surel atau ponsel yang tercatat untuk NIK Anda (di data kependudukan, atau yang dicatat petugas loket). Kode berlaku 5 menit. Belum ada kontak tercatat? Datangi loket pelayanan dengan KTP-el."
        / "We send a 6-digit code to the e-mail address or phone on record for your NIK (in the population register, or recorded by a counter officer). The code is valid for 5 minutes. No contact on record? Visit a service counter with your KTP-el.";
    PLEASE_CHECK_THE_FOLLOWING = "Periksa isian berikut"
        / "Please check the following";
    NIK_HINT = "16 angka, tertera di KTP-el atau Kartu Keluarga."
        / "16 digits, printed on your KTP-el or family card.";
    SEND_THE_CODE_BY = "Kirim kode lewat"
        / "Send the code by";
    E_MAIL_ADDRESS_OR_MOBILE = "Alamat surel atau nomor ponsel"
        / "E-mail address or mobile number";
    THE_CONTACT_ON_RECORD_FOR = "Kontak yang tercatat, misalnya nama@contoh.id atau 0812 3456 7890. Boleh dikosongkan: kode dikirim ke kontak yang tercatat."
        / "The contact on record, for example name@example.id or 0812 3456 7890. May be left empty: the code goes to the contact on record.";
    SEND_CODE = "Kirim kode"
        / "Send code";
    OPEN_THE_DEMO_INBOX = "Buka kotak pesan demo"
        / "Open the demo inbox";
    ENTER_THE_CODE = "Masukkan kode"
        / "Enter the code";
    T_6_DIGIT_CODE = "Kode 6 angka"
        / "6-digit code";
    NEVER_GIVE_THIS_CODE_TO = "Jangan berikan kode ini kepada siapa pun, termasuk petugas."
        / "Never give this code to anyone, officers included.";
    SIGN_IN = "Masuk"
        / "Sign in";
    REQUEST_A_NEW_CODE_OR = "Minta kode baru atau ganti tujuan"
        / "Request a new code or change the destination";
    DEMO_OPEN_INBOX_FOR_CODE = "Demo: lihat kotak pesan (kode ada di sana)"
        / "Demo: open the message inbox (the code is there)";
    MY_RECORD = "Data saya"
        / "My record";
    SIGN_IN_ASSURANCE = "Tingkat kepastian masuk"
        / "Sign-in assurance";
    CHANGE_PHONE_OR_E_MAIL = "Ubah ponsel atau surel"
        / "Change phone or e-mail";
    ADDRESS_BIRTH_DATE_AND_DOCUMENT = "Alamat, tanggal lahir dan nomor dokumen hanya tampil bila Anda masuk dengan tingkat substansial: setelah petugas memeriksa KTP-el Anda di loket, atau lewat penyedia identitas digital."
        / "Address, birth date and document numbers are shown only when you sign in at the substantial level: after an officer checks your KTP-el at a counter, or through a digital identity provider.";
    WHO_HAS_ACCESSED_MY_DATA = "Siapa yang mengakses data saya"
        / "Who has accessed my data";
    NAME = "Nama"
        / "Name";
    NOT_RECORDED_YET = "belum tercatat"
        / "not recorded yet";
    PLACE_AND_DATE_OF_BIRTH = "Tempat, tanggal lahir"
        / "Place and date of birth";
    ADDRESS = "Alamat"
        / "Address";
    FAMILY_CARD_NUMBER = "Nomor KK"
        / "Family card number";
    MOBILE = "Ponsel"
        / "Mobile";
    E_MAIL = "Surel"
        / "E-mail";
    NONE_YET_DOCUMENTS_ISSUED_TO = "Belum ada. Dokumen yang diterbitkan untuk Anda tercatat di sini dan tidak akan diminta lagi."
        / "None yet. Documents issued to you are recorded here and never asked for again.";
    SIGN_OUT = "Keluar"
        / "Sign out";
    SIGN_OUT_ON_EVERY_DEVICE = "Keluar dari semua perangkat"
        / "Sign out on every device";
    FEMALE = "perempuan"
        / "female";
    MALE = "laki-laki"
        / "male";
    OFFICERS_CAN_OPEN_YOUR_RECORD = "Petugas hanya dapat membuka data Anda melalui permohonan atau pengaduan yang mereka tangani, dengan menyebut tujuannya. Setiap pembukaan tercatat di sini dan di log audit publik."
        / "Officers can open your record only through an application or complaint they handle, naming the purpose. Every opening is listed here and in the public audit log.";
    NO_OFFICER_HAS_OPENED_YOUR = "Belum ada petugas yang membuka data Anda."
        / "No officer has opened your record yet.";
    WHEN = "Waktu"
        / "When";
    AGENCY = "Perangkat daerah"
        / "Agency";
    OFFICER_S_ROLE = "Peran petugas"
        / "Officer's role";
    CASE = "Kasus"
        / "Case";
    PURPOSE = "Tujuan"
        / "Purpose";
    AUDIT_LOG_ENTRY = "Entri log audit"
        / "Audit log entry";
    AN_OPENING_YOU_DO_NOT = "Ada pembukaan yang tidak Anda kenali? Sampaikan pengaduan dan sebutkan nomor entri log auditnya."
        / "An opening you do not recognise? File a complaint and quote its audit log entry number.";
    BACK_TO_MY_RECORD = "Kembali ke data saya"
        / "Back to my record";
    SIGN_IN_WITH_YOUR_DIGITAL = "Masuk dengan identitas digital"
        / "Sign in with your digital identity";
    OR_WITH_YOUR_NIK_AND = "atau dengan NIK dan kode sekali pakai"
        / "or with your NIK and a one-time code";
    IDP_SIGN_IN_EXPIRED = "Sesi masuk lewat identitas digital sudah tidak berlaku (lebih dari 10 menit, sudah dipakai, atau tidak dimulai di perangkat ini). Silakan mulai lagi."
        / "The digital identity sign-in is no longer valid (over 10 minutes old, already used, or not started on this device). Please start again.";
    THE_DIGITAL_IDENTITY_PROVIDER_DID = "Penyedia identitas digital tidak mengizinkan masuk, atau Anda membatalkannya."
        / "The digital identity provider did not allow the sign-in, or you cancelled it.";
    IDP_SIGN_IN_UNVERIFIED = "Masuk lewat identitas digital gagal diverifikasi. Silakan coba lagi."
        / "The digital identity sign-in could not be verified. Please try again.";
    THE_POPULATION_REGISTER_CANNOT_BE = "Data kependudukan sedang tidak dapat dihubungi. Coba lagi beberapa menit lagi."
        / "The population register cannot be reached right now. Try again in a few minutes.";
    THE_DIGITAL_IDENTITY_PROVIDER_CANNOT = "Penyedia identitas digital sedang tidak dapat dihubungi. Coba lagi nanti, atau masuk dengan NIK dan kode."
        / "The digital identity provider cannot be reached. Try again later, or sign in with your NIK and a code.";
    NOT_SIGNED_IN = "Belum dapat masuk"
        / "Not signed in";
    TRY_THE_DIGITAL_IDENTITY_AGAIN = "Coba lagi dengan identitas digital"
        / "Try the digital identity again";
    SIGN_IN_WITH_NIK_AND_CODE = "Masuk dengan NIK dan kode"
        / "Sign in with your NIK and a code";
    CHANGE_A_CONTACT = "Ubah kontak"
        / "Change a contact";
    WE_SEND_A_CODE_TO = "Kami kirim kode ke kontak baru dan, kecuali Anda masuk pada tingkat substansial, satu kode lagi ke kontak yang tercatat. Tidak bisa menerima kode di kontak lama? Datangi loket pelayanan dengan KTP-el."
        / "We send a code to the new contact and, unless you signed in at the substantial level, another to the contact on record. Cannot receive a code at the old contact? Visit a service counter with your KTP-el.";
    CONTACT_TO_CHANGE = "Kontak yang diubah"
        / "Contact to change";
    NEW_MOBILE_NUMBER_OR_E = "Nomor ponsel atau alamat surel baru"
        / "New mobile number or e-mail address";
    SEND_CODES = "Kirim kode"
        / "Send codes";
    THIS_CONTACT_IS_ALREADY_ON = "Kontak ini sudah tercatat."
        / "This contact is already on record.";
    NO_CONTACT_ON_RECORD_CAN = "Tidak ada kontak tercatat untuk menerima kode konfirmasi. Datangi loket pelayanan dengan KTP-el."
        / "No contact on record can receive the confirming code. Visit a service counter with your KTP-el.";
    ENTER_THE_CODES = "Masukkan kode"
        / "Enter the codes";
    SAVE_THE_CONTACT = "Simpan kontak"
        / "Save the contact";
    START_AGAIN = "Mulai lagi"
        / "Start again";
    DEMO_OPEN_INBOX_FOR_CODES = "Demo: lihat kotak pesan (kode ada di sana)"
        / "Demo: open the message inbox (the codes are there)";
    COUNTER_VERIFY_A_CITIZEN = "Loket: verifikasi warga"
        / "Counter: verify a citizen";
    CHECK_THE_CITIZEN_S_ORIGINAL = "Periksa KTP-el asli warga secara langsung, lalu catat ponsel atau surel yang ia berikan. Warga itu kemudian dapat masuk daring pada tingkat substansial; setiap kontak lama dan baru diberi tahu."
        / "Check the citizen's original KTP-el in person, then record the phone or e-mail address they give. They can then sign in online at the substantial level; every old and new contact is told.";
    COUNTER_NIK_HINT = "16 angka, dari KTP-el yang Anda pegang."
        / "16 digits, from the KTP-el in your hand.";
    CONTACT_TO_RECORD = "Kontak yang dicatat"
        / "Contact to record";
    MOBILE_NUMBER_OR_E_MAIL = "Nomor ponsel atau alamat surel"
        / "Mobile number or e-mail address";
    I_HAVE_CHECKED_THIS_CITIZEN = "Saya telah memeriksa KTP-el asli warga ini secara langsung, dan fotonya sesuai dengan orang di depan saya."
        / "I have checked this citizen's original KTP-el in person, and its photo matches the person before me.";
    RECORD_THE_CONTACT = "Catat kontak"
        / "Record the contact";
    A_CONTACT_IS_RECORDED_ONLY = "Kontak hanya dicatat setelah KTP-el asli diperiksa langsung."
        / "A contact is recorded only after the original KTP-el was checked in person.";
    THIS_NIK_IS_NOT_IN = "NIK ini tidak ada di data kependudukan. Arahkan warga ke Disdukcapil untuk memperbaiki datanya."
        / "This NIK is not in the population register. Send the citizen to Disdukcapil to correct their data.";
    THE_IDENTITY_PROVIDER_DID_NOT = "Penyedia identitas tidak mengizinkan masuk."
        / "The identity provider did not allow the sign-in.";
    THE_SSO_SIGN_IN_COULD = "Masuk lewat SSO gagal diverifikasi. Silakan coba lagi."
        / "The SSO sign-in could not be verified. Please try again.";
    THIS_ROLE_REQUIRES_TWO_STEP = "Peran ini mewajibkan verifikasi dua langkah. Masuklah di penyedia identitas dengan faktor kedua."
        / "This role requires two-step verification. Sign in at the identity provider with a second factor.";
    THE_SSO_SIGN_IN_IS = "Sesi masuk lewat SSO sudah tidak berlaku. Silakan mulai lagi."
        / "The SSO sign-in is no longer valid. Please start again.";
    THE_IDENTITY_PROVIDER_SSO_CANNOT = "Penyedia identitas (SSO) sedang tidak dapat dihubungi. Coba lagi nanti atau masuk dengan kata sandi."
        / "The identity provider (SSO) cannot be reached. Try again later or sign in with a password.";
    OFFICER_SIGN_IN = "Masuk sebagai petugas"
        / "Officer sign-in";
    USERNAME = "Nama pengguna"
        / "Username";
    PASSWORD = "Kata sandi"
        / "Password";
    SIGN_IN_WITH_THE_GOVERNMENT = "Masuk dengan akun SSO pemerintah"
        / "Sign in with the government SSO account";
    OR_WITH_A_USERNAME_AND = "atau dengan nama pengguna dan kata sandi"
        / "or with a username and password";
    WRONG_USERNAME_OR_PASSWORD = "Nama pengguna atau kata sandi salah."
        / "Wrong username or password.";
    YOUR_ROLE_NEEDS_A_SECOND = "Peran Anda wajib memakai faktor kedua. Tambahkan kunci ini ke aplikasi autentikator (misalnya FreeOTP atau Google Authenticator), lalu masukkan kode 6 angka yang muncul."
        / "Your role needs a second factor. Add this key to an authenticator app (for example FreeOTP or Google Authenticator), then enter the 6-digit code it shows.";
    ENTER_THE_6_DIGIT_CODE = "Masukkan kode 6 angka dari aplikasi autentikator Anda."
        / "Enter the 6-digit code from your authenticator app.";
    SECOND_FACTOR = "Faktor kedua"
        / "Second factor";
    KEY = "Kunci"
        / "Key";
    AUTHENTICATOR_CODE = "Kode autentikator"
        / "Authenticator code";
    WRONG_OR_ALREADY_USED_CODE = "Kode salah atau sudah dipakai. Tunggu kode berikutnya di aplikasi, lalu coba lagi."
        / "Wrong or already used code. Wait for the next code in the app, then try again.";
    NO_AGENCY = "— tanpa perangkat daerah —"
        / "— no agency —";
    FULL_NAME = "Nama lengkap"
        / "Full name";
    ROLE = "Peran"
        / "Role";
    INITIAL_PASSWORD_AT_LEAST_12 = "Kata sandi awal (paling sedikit 12 karakter)"
        / "Initial password (at least 12 characters)";
    OFFICERS = "Petugas"
        / "Officers";
    RESET_PASSWORD = "Atur ulang kata sandi"
        / "Reset password";
    NEW_PASSWORD = "Kata sandi baru"
        / "New password";
    LOCKED_FOR_NOW = "Terkunci sementara"
        / "Locked for now";
    NEW_OFFICER = "Petugas baru"
        / "New officer";
    CREATE_OFFICER_ACCOUNT = "Buat akun petugas"
        / "Create officer account";
    YOU_ARE_SIGNED_IN = "Anda sudah masuk"
        / "You are signed in";
    CONTINUE = "Lanjutkan"
        / "Continue";
    CHOOSE_E_MAIL_SMS_OR = "Pilih surel, SMS atau WhatsApp."
        / "Choose e-mail, SMS or WhatsApp.";
    NO_CODE_IS_OPEN_ON = "Tidak ada kode yang masih berlaku di perangkat ini: kode berlaku 5 menit dan 5 kali percobaan, di perangkat yang memintanya. Minta kode baru."
        / "No code is open on this device: a code is valid for 5 minutes and 5 attempts, on the device that asked for it. Request a new code.";
    THE_CODE_HAS_6_DIGITS = "Kode terdiri dari 6 angka."
        / "The code has 6 digits.";
    INVALID_REQUEST_BODY = "Isi permintaan tidak sah"
        / "Invalid request body";
    DOCUMENTS_THE_GOVERNMENT_ALREADY_HOLDS = "Dokumen yang sudah dipegang pemerintah"
        / "Documents the government already holds";
    A_USERNAME_MAY_HOLD_ONLY = "Nama pengguna hanya boleh berisi huruf a–z, angka 0–9, titik, garis bawah dan tanda hubung, diawali huruf atau angka (huruf besar dijadikan kecil)."
        / "A username may hold only the letters a–z, digits 0–9, full stops, underscores and hyphens, starting with a letter or digit (capitals become lower case).";
    THIS_USERNAME_IS_TAKEN_CAPITAL = "Nama pengguna ini sudah dipakai (huruf besar dan kecil dianggap sama)."
        / "This username is taken (capital and small letters count as the same).";
    THIS_ROLE_WORKS_IN_ONE = "Peran ini bekerja di satu perangkat daerah: pilih perangkat daerahnya."
        / "This role works in one agency: choose it.";
    THIS_ROLE_BELONGS_TO_NO = "Peran ini tidak terikat pada perangkat daerah; kosongkan pilihan."
        / "This role belongs to no agency; leave it empty.";
    THE_BODY_MUST_BE_A = "Isi permintaan harus objek JSON sesuai dokumentasi API."
        / "The body must be a JSON object as documented.";
    CODES_WERE_ALREADY_REQUESTED_FOR = "Sudah {max} kode diminta untuk NIK dan tujuan ini dalam {window} menit. Coba lagi dalam {minutes} menit."
        / "{max} codes were already requested for this NIK and destination within {window} minutes. Try again in {minutes} minute(s).";
    TOO_MANY_CODE_REQUESTS_FROM = "Terlalu banyak permintaan kode dari perangkat ini. Coba lagi dalam {minutes} menit."
        / "Too many code requests from this device. Try again in {minutes} minute(s).";
    THE_DIGITAL_IDENTITY_PROVIDER_SENT = "Penyedia identitas digital tidak menyertakan NIK yang sah (klaim {claim}), jadi Balai tidak tahu siapa Anda. Masuklah dengan NIK dan kode, atau hubungi penyedia identitas Anda."
        / "The digital identity provider sent no valid NIK (claim {claim}), so Balai cannot tell who you are. Sign in with your NIK and a code, or contact your identity provider.";
    THE_PASSWORD_NEEDS_AT_LEAST = "Kata sandi paling sedikit {min} karakter."
        / "The password needs at least {min} characters.";
    S_PASSWORD_WAS_RESET_ALL = "Kata sandi {username} diatur ulang; semua sesinya berakhir dan faktor keduanya perlu didaftarkan lagi."
        / "{username}'s password was reset; all their sessions ended and their second factor must be enrolled again.";
    CONTACT_CHANGES_WERE_STARTED_WITHIN = "Sudah {max} kali pengubahan kontak dimulai dalam {window} menit. Coba lagi dalam {minutes} menit."
        / "{max} contact changes were started within {window} minutes. Try again in {minutes} minute(s).";
    CODE_SENT_TO = "Kode yang dikirim ke {contact}"
        / "Code sent to {contact}";
    WRONG_CODE_ATTEMPTS_LEFT = "Kode salah. Sisa percobaan: {attempts_left}."
        / "Wrong code. Attempts left: {attempts_left}.";
    CONTACT_RECORDED_FOR_NIK_SUBSTANTIAL = "Kontak {contact} dicatat untuk NIK {nik} (tingkat substansial). Pemberitahuan dikirim ke {notices} kontak."
        / "Contact {contact} recorded for NIK {nik} (substantial level). Notices sent to {notices} contact(s).";
    DEMO_SIGN_IN_AS_MARIA = "Demo: masuk sebagai Maria Yosefina Lado dengan NIK {nik} dan surel yang tercatat, {email}; kodenya muncul di kotak pesan demo. Kode hanya dikirim ke kontak yang tercatat."
        / "Demo: sign in as Maria Yosefina Lado with NIK {nik} and the e-mail address on record, {email}; the code appears in the demo inbox. Codes go only to a contact on record.";
    IF_IS_THE_CONTACT_ON = "Bila {masked_recipient} adalah kontak yang tercatat untuk NIK ini, kode sudah dikirim ke sana lewat {channel}. Berlaku sampai {until}; sisa percobaan {attempts_left}."
        / "If {masked_recipient} is the contact on record for this NIK, the code was sent there by {channel}. Valid until {until}; {attempts_left} attempt(s) left.";
    THIS_SSO_ACCOUNT_HAS_NO = "Akun SSO ini belum diberi peran atau tempat tugas yang dikenal Balai (klaim {claim}). Hubungi admin pemerintah daerah."
        / "This SSO account has no role or place Balai knows (claim {claim}). Ask the government's administrator.";
}
